#include "prism/ops/conv1d.hpp"

#include <ostream>

#include "ops/weight_upload.hpp"
#include "prism/error.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

struct Conv1dCase {
    std::int64_t c_in, t, c_out, taps, stride, pad;
    bool bias;
    TensorType type;
};

std::ostream& operator<<(std::ostream& os, const Conv1dCase& c) {
    return os << "Cin" << c.c_in << " T" << c.t << " Cout" << c.c_out << " K" << c.taps << " s"
              << c.stride << " p" << c.pad << (c.bias ? " bias " : " ") << tensor_type_name(c.type);
}

class Conv1d : public GpuTest, public ::testing::WithParamInterface<Conv1dCase> {};

TEST_P(Conv1d, MatchesCpu) {
    const auto c = GetParam();
    const ops::Conv1dParams params{c.stride, c.pad};
    const auto input = random_tensor({c.c_in, c.t, 1, 1}, 31);
    const auto stored = store_weights(random_tensor({c.taps, c.c_in, c.c_out, 1}, 32), c.type);
    const auto bias = random_tensor({c.c_out, 1, 1, 1}, 33);
    const std::int64_t t_out = ops::conv1d_output_length(c.t, c.taps, params);

    auto ginput = upload(input);
    auto gweight = upload_raw(c.type, stored.values.ne, stored.bytes);
    auto gbias = upload(bias);
    auto out = empty(TensorType::F32, {c.c_out, t_out, 1, 1});
    run([&](gpu::Recorder& rec) {
        ops::conv1d(rec, ginput, gweight, c.bias ? &gbias : nullptr, out, params);
    });
    const auto expected = ops::cpu::conv1d(input, stored.values, c.bias ? &bias : nullptr, params);
    // Each output sums at most K * C_in products of values in [-1, 1]; f32 accumulation in tile
    // order vs double stays far below 1e-6 per term (an index error moves outputs by ~0.1..1).
    const float atol = 1e-6f * static_cast<float>(c.taps * c.c_in);
    EXPECT_TRUE(all_close(expected, download(out), atol, 0));
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, Conv1d,
    ::testing::Values(
        // One step, one channel: only the centre tap sees data, both neighbours are padding.
        Conv1dCase{1, 1, 1, 3, 1, 1, false, TensorType::F32},
        Conv1dCase{1, 1, 1, 3, 2, 1, true, TensorType::F32},
        // Whisper's two stem convs (K = 3, pad 1; stride 1 then 2) at toy sizes, odd lengths.
        Conv1dCase{5, 7, 3, 3, 1, 1, true, TensorType::F32},
        Conv1dCase{8, 9, 6, 3, 2, 1, true, TensorType::F16},
        Conv1dCase{20, 70, 33, 3, 1, 1, true, TensorType::F16},
        Conv1dCase{6, 12, 7, 3, 1, 1, false, TensorType::F16},
        // M = 72, T_out = 65: the 64 x 64 tiles with ragged edges; K * C_in = 240.
        Conv1dCase{80, 130, 72, 3, 2, 1, true, TensorType::F32},
        // Other kernel / stride / padding combinations.
        Conv1dCase{4, 10, 5, 5, 3, 0, false, TensorType::F32},
        Conv1dCase{3, 4, 2, 1, 1, 0, true, TensorType::F32},
        Conv1dCase{3, 6, 4, 4, 2, 3, true, TensorType::F32}),
    [](const auto& param) { return "case" + std::to_string(param.index); });

TEST_F(GpuTest, Conv1dReadsAMelSpectrogramThroughAView) {
    // The mel spectrogram arrives mel-major ([T, n_mel], ne0 = T); the conv sees it permuted
    // to [n_mel, T] without a copy.
    const std::int64_t n_mel = 16, t = 21, c_out = 10;
    const auto mel = random_tensor({t, n_mel, 1, 1}, 41);
    const auto weight = random_tensor({3, n_mel, c_out, 1}, 42);
    const auto bias = random_tensor({c_out, 1, 1, 1}, 43);
    ops::HostTensor feature_major({n_mel, t, 1, 1});
    for (std::int64_t i = 0; i < t; ++i)
        for (std::int64_t m = 0; m < n_mel; ++m) feature_major.at(m, i) = mel.at(i, m);

    const ops::Conv1dParams params{1, 1};
    auto gmel = upload(mel).permuted(1, 0, 2, 3);
    auto gweight = upload(weight);
    auto gbias = upload(bias);
    auto out = empty(TensorType::F32, {c_out, t, 1, 1});
    run([&](gpu::Recorder& rec) { ops::conv1d(rec, gmel, gweight, &gbias, out, params); });
    // Same bound as above: 48 products in [-1, 1].
    EXPECT_TRUE(all_close(ops::cpu::conv1d(feature_major, weight, &bias, params), download(out),
                          1e-6f * 3 * n_mel, 0));
}

TEST_F(GpuTest, Conv1dRejectsBadArguments) {
    auto rec = ctx().record();
    auto input = upload(random_tensor({4, 2, 1, 1}, 1));
    auto weight = upload(random_tensor({3, 4, 5, 1}, 2));
    auto out = empty(TensorType::F32, {5, 2, 1, 1});
    // Two steps without padding are shorter than the 3-tap kernel.
    try {
        ops::conv1d(rec, input, weight, nullptr, out, {1, 0});
        ADD_FAILURE() << "no error for an input shorter than the kernel";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("conv1d"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("shorter than the kernel"), std::string::npos)
            << e.what();
    }
    EXPECT_THROW(ops::conv1d(rec, input, weight, nullptr, out, {0, 1}), Error);   // stride 0
    EXPECT_THROW(ops::conv1d(rec, input, weight, nullptr, out, {1, -1}), Error);  // padding < 0
    auto wrong_channels = upload(random_tensor({3, 2, 1, 1}, 3));
    EXPECT_THROW(ops::conv1d(rec, wrong_channels, weight, nullptr, out, {1, 1}), Error);
    auto wrong_out = empty(TensorType::F32, {5, 3, 1, 1});
    EXPECT_THROW(ops::conv1d(rec, input, weight, nullptr, wrong_out, {1, 1}), Error);
    auto f16_out = empty(TensorType::F16, {5, 2, 1, 1});
    EXPECT_THROW(ops::conv1d(rec, input, weight, nullptr, f16_out, {1, 1}), Error);
    auto q_weight = empty(TensorType::Q8_0, {32, 4, 5, 1});
    EXPECT_THROW(ops::conv1d(rec, input, q_weight, nullptr, out, {1, 1}), Error);
}

}  // namespace
}  // namespace prism::test
