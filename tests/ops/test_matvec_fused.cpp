#include "prism/ops/matvec_fused.hpp"

#include <cmath>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/gated.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/quant.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using Output = ops::MatvecFusion::Output;

// Against the separate CPU references (rms_norm, matmul, add, gated, all in double where they
// sum). The fused kernel differs by the f32 order of the norm's and the product's sums: with
// K = 256 or 512 inputs normalised to rms 1 the products are O(10) and the measured gap is
// below 2e-5; 1e-4 x max(1, |expected|) leaves room for other devices' orders.
constexpr double kTolerance = 1e-4;

struct Case {
    TensorType type;
    std::int64_t K, M, N;
    bool residual;
    Output output;
    bool bias;
};

class MatvecFusedOp : public GpuTest, public ::testing::WithParamInterface<Case> {};

ops::HostTensor column_norm(const ops::HostTensor& x, const ops::HostTensor& w, float eps) {
    return ops::cpu::rms_norm(x, eps, &w);
}

TEST_P(MatvecFusedOp, MatchesTheSeparateOps) {
    const Case c = GetParam();
    const float eps = 1e-6f;
    const bool gated = c.output == Output::gated;
    const std::int64_t rows = gated ? 2 * c.M : c.M;
    const auto bytes = random_quantized(c.type, static_cast<std::size_t>(c.K * rows), 3);
    const auto x = random_tensor({c.K, c.N, 1, 1}, 4);
    const auto norm = random_tensor({c.K, 1, 1, 1}, 5, 0.5f, 1.5f);
    const auto residual = random_tensor({c.K, c.N, 1, 1}, 6);
    const auto residual_norm = random_tensor({c.K, 1, 1, 1}, 7, 0.5f, 1.5f);
    const auto bias = random_tensor({c.M, 1, 1, 1}, 8);
    const auto start = random_tensor({c.M, c.N, 1, 1}, 9);  // what accumulate adds to

    // Reference: the ops one after the other.
    ops::HostTensor x_sum = x;
    if (c.residual) x_sum = ops::cpu::add(x, column_norm(residual, residual_norm, eps));
    const auto xn = column_norm(x_sum, norm, eps);
    const auto raw = std::as_bytes(std::span(bytes));
    const auto product = ops::cpu::matmul(c.type, raw, c.K, rows, xn);
    ops::HostTensor expected({c.M, c.N, 1, 1});
    if (gated) {
        ops::HostTensor gate({c.M, c.N, 1, 1}), up({c.M, c.N, 1, 1});
        for (std::int64_t n = 0; n < c.N; ++n)
            for (std::int64_t m = 0; m < c.M; ++m) {
                gate.at(m, n) = product.at(m, n);
                up.at(m, n) = product.at(c.M + m, n);
            }
        expected = ops::cpu::gated(ops::Activation::gelu, gate, up);
    } else {
        expected = product;
        if (c.bias) expected = ops::cpu::add(expected, bias);
        if (c.output == Output::accumulate) expected = ops::cpu::add(start, expected);
    }

    auto gw = upload_raw(c.type, {c.K, rows, 1, 1}, bytes);
    auto gx = upload(x), gnorm = upload(norm), gres = upload(residual),
         gres_norm = upload(residual_norm), gbias = upload(bias);
    auto gout = upload(c.output == Output::accumulate ? start : ops::HostTensor({c.M, c.N, 1, 1}));
    auto gx_out = empty(TensorType::F32, {c.K, c.N, 1, 1});
    ops::MatvecFusion f;
    f.norm = &gnorm;
    f.eps = eps;
    if (c.residual) {
        f.residual = &gres;
        f.residual_norm = &gres_norm;
        f.x_out = &gx_out;
    }
    f.output = c.output;
    f.activation = ops::Activation::gelu;
    if (c.bias) f.bias = &gbias;
    run([&](gpu::Recorder& rec) { ops::matvec_fused(rec, gw, gx, gout, f); });

    const auto got = download(gout);
    for (std::int64_t n = 0; n < c.N; ++n)
        for (std::int64_t m = 0; m < c.M; ++m) {
            const double e = expected.at(m, n);
            ASSERT_NEAR(got.at(m, n), e, kTolerance * std::max(1.0, std::fabs(e)))
                << "m=" << m << " n=" << n;
        }
    if (c.residual) {
        const auto sum = download(gx_out);
        for (std::int64_t i = 0; i < x_sum.elements(); ++i) {
            const double e = x_sum.data[static_cast<std::size_t>(i)];
            ASSERT_NEAR(sum.data[static_cast<std::size_t>(i)], e,
                        1e-5 * std::max(1.0, std::fabs(e)))
                << "x_out element " << i;
        }
    }
}

INSTANTIATE_TEST_SUITE_P(
    Fusions, MatvecFusedOp,
    ::testing::Values(Case{TensorType::F32, 256, 37, 1, false, Output::store, true},
                      Case{TensorType::F32, 70, 9, 3, true, Output::gated, false},
                      Case{TensorType::Q8_0, 512, 70, 1, true, Output::store, false},
                      Case{TensorType::Q8_0, 256, 33, 2, false, Output::accumulate, false},
                      Case{TensorType::Q4_1, 256, 65, 1, false, Output::gated, false},
                      Case{TensorType::Q4_K, 512, 40, 5, true, Output::accumulate, true},
                      // Block-decoder types take lane rows on CPU devices: 4, 2 and 1 rows per
                      // invocation by N, gated or not, M past a whole workgroup's rows.
                      Case{TensorType::Q6_K, 256, 45, 1, true, Output::gated, false},
                      Case{TensorType::Q2_K, 512, 33, 2, false, Output::store, true},
                      Case{TensorType::IQ4_NL, 256, 70, 3, true, Output::store, false},
                      Case{TensorType::Q3_K, 256, 64, 4, true, Output::gated, false},
                      Case{TensorType::Q5_K, 256, 17, 8, false, Output::accumulate, false}),
    [](const auto& p) {
        const Case& c = p.param;
        const char* out = c.output == Output::store        ? "store"
                          : c.output == Output::accumulate ? "accumulate"
                                                           : "gated";
        return std::string(tensor_type_name(c.type)) + "_N" + std::to_string(c.N) + "_" + out +
               (c.residual ? "_residual" : "") + (c.bias ? "_bias" : "");
    });

TEST_F(GpuTest, MatvecFusedRejectsBadArguments) {
    auto w = empty(TensorType::F32, {32, 6, 1, 1});
    auto x = empty(TensorType::F32, {32, 1, 1, 1});
    auto out = empty(TensorType::F32, {6, 1, 1, 1});
    auto wide = empty(TensorType::F32, {32, 9, 1, 1});
    auto gated_out = empty(TensorType::F32, {3, 1, 1, 1});
    auto many = empty(TensorType::F32, {32, 9, 1, 1});
    auto short_norm = empty(TensorType::F32, {16, 1, 1, 1});
    auto rec = ctx().record();
    ops::MatvecFusion gated;
    gated.output = Output::gated;
    EXPECT_THROW(ops::matvec_fused(rec, wide, x, gated_out, gated), Error);  // odd rows
    EXPECT_THROW(ops::matvec_fused(rec, w, many, out, {}), Error);           // N > 8
    ops::MatvecFusion bad_norm;
    bad_norm.norm = &short_norm;
    EXPECT_THROW(ops::matvec_fused(rec, w, x, out, bad_norm), Error);
    ops::MatvecFusion no_norm;
    no_norm.residual = &x;
    EXPECT_THROW(ops::matvec_fused(rec, w, x, out, no_norm), Error);
    gated.activation = ops::Activation::gelu_erf;
    EXPECT_THROW(ops::matvec_fused(rec, w, x, gated_out, gated), Error);
}

}  // namespace
}  // namespace prism::test
