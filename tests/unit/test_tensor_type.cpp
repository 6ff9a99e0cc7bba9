#include "prism/tensor_type.hpp"

#include <gtest/gtest.h>

#include "prism/error.hpp"

namespace prism {
namespace {

TEST(TensorType, DescriptorsMatchTheGgufBlockTable) {
    struct Row {
        std::uint32_t id;
        const char* name;
        std::uint32_t block, bytes;
    };
    // Block sizes as GGUF files define them (ggml's type table).
    const Row rows[] = {{0, "F32", 1, 4},       {1, "F16", 1, 2},       {2, "Q4_0", 32, 18},
                        {3, "Q4_1", 32, 20},    {6, "Q5_0", 32, 22},    {7, "Q5_1", 32, 24},
                        {8, "Q8_0", 32, 34},    {10, "Q2_K", 256, 84},  {11, "Q3_K", 256, 110},
                        {12, "Q4_K", 256, 144}, {13, "Q5_K", 256, 176}, {14, "Q6_K", 256, 210},
                        {20, "IQ4_NL", 32, 18}, {30, "BF16", 1, 2}};
    for (const auto& r : rows) {
        const auto info = find_tensor_type(r.id);
        ASSERT_TRUE(info) << r.name;
        EXPECT_EQ(info->name, r.name);
        EXPECT_EQ(info->block_elements, r.block) << r.name;
        EXPECT_EQ(info->block_bytes, r.bytes) << r.name;
        EXPECT_TRUE(info->computable) << r.name;
    }
    EXPECT_EQ(computable_tensor_types().size(), std::size(rows));
}

TEST(TensorType, UnknownIdsAreNotFound) {
    EXPECT_FALSE(find_tensor_type(4));  // retired Q4_2
    EXPECT_FALSE(find_tensor_type(99));
    EXPECT_FALSE(find_tensor_type(0xFFFFFFFFu));
}

TEST(TensorType, ParseIsCaseInsensitive) {
    EXPECT_EQ(parse_tensor_type("q4_k"), TensorType::Q4_K);
    EXPECT_EQ(parse_tensor_type("F16"), TensorType::F16);
    EXPECT_FALSE(parse_tensor_type("Q4"));
}

TEST(TensorType, RowBytesNeedWholeBlocks) {
    EXPECT_EQ(row_bytes(TensorType::Q4_K, 512), 288u);
    EXPECT_EQ(row_bytes(TensorType::F16, 3), 6u);
    EXPECT_THROW(row_bytes(TensorType::Q4_0, 33), Error);
}

}  // namespace
}  // namespace prism
