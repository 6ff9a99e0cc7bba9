#include "prism/quant.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/tensor_type.hpp"

namespace prism {
namespace {

std::vector<std::byte> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open fixture " + path);
    std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(chars.size());
    std::memcpy(bytes.data(), chars.data(), chars.size());
    return bytes;
}

std::string fixture_path(TensorType type, const char* extension) {
    return std::string(PRISM_TEST_DATA_DIR) + "/quant/" + std::string(tensor_type_name(type)) +
           extension;
}

std::span<const std::byte> as_bytes(const std::vector<std::uint8_t>& v) {
    return std::as_bytes(std::span(v));
}

// Same float bit for bit, except that any NaN equals any NaN: numpy's fp16 conversion may
// quiet a signalling NaN, which changes the payload but not the meaning.
bool same_float(float expected, float actual) {
    if (std::isnan(expected)) return std::isnan(actual);
    return std::bit_cast<std::uint32_t>(expected) == std::bit_cast<std::uint32_t>(actual);
}

void expect_error_mentions(const std::function<void()>& call,
                           std::initializer_list<std::string> words) {
    try {
        call();
        ADD_FAILURE() << "expected prism::Error";
    } catch (const Error& e) {
        const std::string message = e.what();
        for (const auto& word : words) {
            EXPECT_NE(message.find(word), std::string::npos)
                << "message \"" << message << "\" lacks \"" << word << "\"";
        }
    }
}

class DequantizeFixture : public ::testing::TestWithParam<TensorType> {};

// The fixtures are gguf.quants.dequantize() output (tests/data/quant/README.md); we must
// reproduce it exactly, so the tolerance is zero.
TEST_P(DequantizeFixture, MatchesGgufBitExactly) {
    const TensorType type = GetParam();
    const auto blocks = read_file(fixture_path(type, ".blocks"));
    const auto expected_bytes = read_file(fixture_path(type, ".f32"));
    ASSERT_EQ(expected_bytes.size() % sizeof(float), 0u);
    std::vector<float> expected(expected_bytes.size() / sizeof(float));
    std::memcpy(expected.data(), expected_bytes.data(), expected_bytes.size());
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(row_bytes(type, expected.size()), blocks.size());

    const std::vector<float> actual = dequantize(type, blocks, expected.size());
    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        if (same_float(expected[i], actual[i])) continue;
        if (++mismatches <= 5) {
            ADD_FAILURE() << tensor_type_name(type) << " element " << i << ": expected "
                          << expected[i] << " (0x" << std::hex
                          << std::bit_cast<std::uint32_t>(expected[i]) << "), got " << std::dec
                          << actual[i] << " (0x" << std::hex
                          << std::bit_cast<std::uint32_t>(actual[i]) << ")" << std::dec;
        }
    }
    EXPECT_EQ(mismatches, 0u) << "of " << expected.size() << " elements";
}

// Blocks inside a GGUF file need not be aligned for the host; the decoders must not care.
TEST_P(DequantizeFixture, UnalignedSourceGivesTheSameValues) {
    const TensorType type = GetParam();
    const auto blocks = read_file(fixture_path(type, ".blocks"));
    const std::size_t elements =
        blocks.size() / tensor_type_info(type).block_bytes * tensor_type_info(type).block_elements;
    std::vector<std::byte> shifted(blocks.size() + 1);
    std::memcpy(shifted.data() + 1, blocks.data(), blocks.size());

    const auto aligned = dequantize(type, blocks, elements);
    const auto unaligned = dequantize(type, std::span(shifted).subspan(1), elements);
    for (std::size_t i = 0; i < elements; ++i) {
        ASSERT_TRUE(same_float(aligned[i], unaligned[i])) << "element " << i;
    }
}

INSTANTIATE_TEST_SUITE_P(EveryComputableType, DequantizeFixture,
                         ::testing::ValuesIn(computable_tensor_types().begin(),
                                             computable_tensor_types().end()),
                         [](const auto& param_info) {
                             return std::string(tensor_type_name(param_info.param));
                         });

TEST(Dequantize, RejectsTypesItCannotDecode) {
    for (TensorType type :
         {TensorType::Q8_1, TensorType::Q8_K, TensorType::I8, TensorType::I16, TensorType::I32}) {
        const auto& info = tensor_type_info(type);
        std::vector<std::byte> src(info.block_bytes * 2);
        std::vector<float> dst(info.block_elements * 2);
        expect_error_mentions(
            [&] { dequantize(type, src, dst); },
            {std::string(info.name), std::to_string(static_cast<std::uint32_t>(type))});
    }
    std::vector<float> dst(4);
    expect_error_mentions([&] { dequantize(static_cast<TensorType>(99), {}, dst); }, {"99"});
}

TEST(Dequantize, RejectsSourceOfTheWrongSize) {
    std::vector<std::byte> src(144 + 1);  // one Q4_K block and a stray byte
    std::vector<float> dst(256);
    expect_error_mentions([&] { dequantize(TensorType::Q4_K, src, dst); },
                          {"Q4_K", "12", "256", "144", "145"});
    src.resize(144);
    dst.resize(512);  // two blocks' worth of output from one block
    expect_error_mentions([&] { dequantize(TensorType::Q4_K, src, dst); },
                          {"Q4_K", "12", "512", "288", "144"});
    std::vector<std::byte> f16(6);
    std::vector<float> f16_out(4);
    expect_error_mentions([&] { dequantize(TensorType::F16, f16, f16_out); }, {"F16", "8", "6"});
}

TEST(Dequantize, RejectsPartialBlocks) {
    std::vector<std::byte> src(34);
    std::vector<float> dst(31);
    expect_error_mentions([&] { dequantize(TensorType::Q8_0, src, dst); },
                          {"Q8_0", "8", "31", "32"});
}

TEST(Dequantize, AcceptsEmptyTensors) {
    std::vector<float> none;
    EXPECT_NO_THROW(dequantize(TensorType::Q6_K, {}, none));
}

class RandomQuantized : public ::testing::TestWithParam<TensorType> {};

TEST_P(RandomQuantized, DecodesToFiniteValuesOfOrderOne) {
    const TensorType type = GetParam();
    const std::size_t elements = 4096;
    const auto data = random_quantized(type, elements, 7);
    ASSERT_EQ(data.size(), row_bytes(type, elements));
    const auto values = dequantize(type, as_bytes(data), elements);
    float largest = 0.0f;
    for (float v : values) {
        ASSERT_TRUE(std::isfinite(v)) << tensor_type_name(type);
        largest = std::max(largest, std::abs(v));
    }
    // Scales are sized so |value| <= 2 from the quants plus at most 1 from a min or offset.
    EXPECT_LE(largest, 3.0f) << tensor_type_name(type);
    EXPECT_GT(largest, 0.05f) << tensor_type_name(type) << " looks degenerate";
}

TEST_P(RandomQuantized, IsDeterministicPerSeed) {
    const TensorType type = GetParam();
    const std::size_t elements = 512;
    EXPECT_EQ(random_quantized(type, elements, 1), random_quantized(type, elements, 1));
    EXPECT_NE(random_quantized(type, elements, 1), random_quantized(type, elements, 2));
}

INSTANTIATE_TEST_SUITE_P(EveryComputableType, RandomQuantized,
                         ::testing::ValuesIn(computable_tensor_types().begin(),
                                             computable_tensor_types().end()),
                         [](const auto& param_info) {
                             return std::string(tensor_type_name(param_info.param));
                         });

TEST(RandomQuantizedErrors, RejectsBadArguments) {
    expect_error_mentions([] { random_quantized(TensorType::Q4_K, 100, 1); },
                          {"Q4_K", "12", "100", "256"});
    expect_error_mentions([] { random_quantized(TensorType::Q8_K, 256, 1); }, {"Q8_K", "15"});
    EXPECT_TRUE(random_quantized(TensorType::Q8_0, 0, 1).empty());
}

}  // namespace
}  // namespace prism
