#include "prism/ops/get_rows.hpp"

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/quant.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

std::vector<std::uint8_t> id_bytes(const std::vector<std::int32_t>& ids) {
    std::vector<std::uint8_t> b(ids.size() * 4);
    std::memcpy(b.data(), ids.data(), b.size());
    return b;
}

class GetRowsOp : public GpuTest, public ::testing::WithParamInterface<TensorType> {};

TEST_P(GetRowsOp, MatchesCpuReferenceAndZeroesInvalidIds) {
    const TensorType type = GetParam();
    const std::int64_t block = tensor_type_info(type).block_elements;
    // Plain types also get a row length that is not a multiple of 4 (the shader's group).
    for (const std::int64_t K : {block == 256 ? 256 : 96, block == 1 ? 7 : 512}) {
        SCOPED_TRACE("K=" + std::to_string(K));
        constexpr std::int64_t V = 37;
        const auto table = random_quantized(type, static_cast<std::size_t>(K * V), 5);
        // Repeats, both ends, and ids outside [0, V) which must come back as zeros.
        const std::vector<std::int32_t> ids = {3, 0, 36, 3, -1, 37, INT_MIN, INT_MAX, 20, 11};
        auto gt = upload_raw(type, {K, V, 1, 1}, table);
        auto gi = upload_raw(TensorType::I32, {static_cast<std::int64_t>(ids.size()), 1, 1, 1},
                             id_bytes(ids));
        auto out = empty(TensorType::F32, {K, static_cast<std::int64_t>(ids.size()), 1, 1});
        run([&](gpu::Recorder& rec) { ops::get_rows(rec, gt, gi, out); });
        const auto expected = ops::cpu::get_rows(type, std::as_bytes(std::span(table)), K, V, ids);
        // Each value is one decoding of the same bits on both sides: exact, except that the
        // compiler may fuse d * q - m (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K) into one FMA, a rounding
        // apart; random_quantized values are of order one, so 1e-6 covers that.
        EXPECT_TRUE(all_close(expected, download(out), 1e-6f, 1e-6f));
        for (std::size_t i = 4; i < 8; ++i)
            for (std::int64_t k = 0; k < K; ++k)
                ASSERT_EQ(expected.at(k, static_cast<std::int64_t>(i)), 0.0f);
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, GetRowsOp,
                         ::testing::ValuesIn(computable_tensor_types().begin(),
                                             computable_tensor_types().end()),
                         [](const auto& p) { return std::string(tensor_type_name(p.param)); });

TEST_F(GpuTest, GetRowsRejectsBadArguments) {
    auto table =
        upload_raw(TensorType::Q8_0, {64, 4, 1, 1}, random_quantized(TensorType::Q8_0, 256, 1));
    auto ids = upload_raw(TensorType::I32, {2, 1, 1, 1}, id_bytes({0, 1}));
    auto rec = ctx().record();
    auto out_wrong = empty(TensorType::F32, {64, 3, 1, 1});
    EXPECT_THROW(ops::get_rows(rec, table, ids, out_wrong), Error);
    auto out = empty(TensorType::F32, {64, 2, 1, 1});
    auto f32_ids = empty(TensorType::F32, {2, 1, 1, 1});
    EXPECT_THROW(ops::get_rows(rec, table, f32_ids, out), Error);
}

// A table larger than one storage binding on lavapipe (128 MiB): rows from both ends of
// it come back exactly, whichever chunk holds them.
TEST_F(GpuTest, GetRowsFromTableLargerThanOneBinding) {
    constexpr std::int64_t K = 4096, V = 8400;  // F32: 137.6 MB
    std::vector<float> w(static_cast<std::size_t>(K * V));
    for (std::size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>(i % 8191) - 4095.0f;
    std::vector<std::uint8_t> bytes(w.size() * 4);
    std::memcpy(bytes.data(), w.data(), bytes.size());
    const std::vector<std::int32_t> ids = {0, 8399, 4200, 8300, -5, 8400, 1};
    auto gt = upload_raw(TensorType::F32, {K, V, 1, 1}, bytes);
    auto gi = upload_raw(TensorType::I32, {static_cast<std::int64_t>(ids.size()), 1, 1, 1},
                         id_bytes(ids));
    auto out = empty(TensorType::F32, {K, static_cast<std::int64_t>(ids.size()), 1, 1});
    std::uint32_t dispatches = 0;
    run([&](gpu::Recorder& rec) {
        ops::get_rows(rec, gt, gi, out);
        dispatches = rec.dispatch_count();
    });
    if (bytes.size() > ctx().device().max_storage_buffer_range) {
        EXPECT_GE(dispatches, 2u);  // it was split
    }
    const auto got = download(out);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const bool valid = ids[i] >= 0 && ids[i] < V;
        for (std::int64_t k = 0; k < K; ++k) {
            const float want = valid ? w[static_cast<std::size_t>(ids[i] * K + k)] : 0.0f;
            ASSERT_EQ(got.at(k, static_cast<std::int64_t>(i)), want)
                << "id " << ids[i] << " k " << k;
        }
    }
}

}  // namespace
}  // namespace prism::test
