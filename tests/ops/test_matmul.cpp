#include "prism/ops/matmul.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "prism/error.hpp"
#include "prism/quant.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

// Largest |gpu - reference| allowed, as a fraction of sum_k |w[k, m] * x[k, n]|.
// Both sides use the same dequantized weights, so what differs is the f32 summation order
// (threads stride over K, then a tree; the reference sums in double): bounded by
// K * 2^-24 ~ 4.6e-5 at K = 768, about sqrt(K) * 2^-24 ~ 2e-6 for random signs.
// Types whose decoding is d * q - m (Q4_1, Q5_1, Q2_K, Q4_K, Q5_K) may also differ by one
// rounding per weight where the shader compiler fuses it into an FMA.
double tolerance(TensorType type) {
    switch (type) {
        case TensorType::Q4_1:
        case TensorType::Q5_1:
        case TensorType::Q2_K:
        case TensorType::Q4_K:
        case TensorType::Q5_K:
            return 2e-5;
        default:
            return 1e-5;
    }
}

struct Shape {
    std::int64_t M, N, K;
};

// K values that suit the type's block (K-quants need multiples of 256). Every type runs the
// matrix-vector path at N = 1 (two rows per workgroup) and N = 5 (one row) and the narrow
// tiles; a few representative types also run N = 3, N = 8 and the 64 x 64 tiles (each
// extra shape is another pipeline to compile, which dominates the run time on lavapipe).
// Plain types also get sizes that are not multiples of 4 (the shaders' group size).
std::vector<Shape> shapes_for(TensorType type) {
    const auto block = tensor_type_info(type).block_elements;
    const std::int64_t k0 = 256, k1 = block == 256 ? 512 : 768;
    std::vector<Shape> s = {
        {1, 1, k0},   {65, 1, k1},  {130, 1, k0},   // matrix-vector
        {3, 5, k0},   {130, 5, k1},                 // a few columns
        {65, 17, k0}, {1, 9, k0},   {130, 20, k1},  // tiled, edges on every side
    };
    const auto t = type;
    if (t == TensorType::F32 || t == TensorType::F16 || t == TensorType::Q8_0 ||
        t == TensorType::Q4_0 || t == TensorType::Q4_K || t == TensorType::Q6_K) {
        s.insert(s.end(), {{3, 3, k0}, {65, 8, k1}, {130, 67, k1}});
    }
    if (block == 1) s.insert(s.end(), {{3, 1, 1}, {5, 5, 7}, {66, 33, 45}});
    // CPU devices' matmul_lanes tiles (64 or 32 rows, at most 16 columns, K in steps of 32):
    // M past a 64-row tile, 3 uneven column tiles (N = 40: 14 + 14 + 12), a lone ragged
    // 32-row tile with a 17-column split. Elsewhere these are more tiled-kernel edges.
    if (t == TensorType::F32 || t == TensorType::F16 || t == TensorType::Q8_0 ||
        t == TensorType::Q4_0 || t == TensorType::Q4_K) {
        s.insert(s.end(), {{100, 40, k0}, {20, 17, k1}});
    }
    // An odd number of blocks per row: legacy rows (and Q6_K's) are then not 4-byte aligned,
    // so the matrix-vector path takes its 16-bit loads instead of the wide ones.
    if (block == 32) s.push_back({7, 2, 96});
    if (block == 256) s.push_back({5, 2, 768});
    return s;
}

class MatmulCheck : public GpuTest {
  protected:
    // Runs matmul on random data and compares with the CPU reference.
    void check(TensorType type, Shape s, std::uint32_t seed) {
        SCOPED_TRACE(std::string(tensor_type_name(type)) + " M=" + std::to_string(s.M) +
                     " N=" + std::to_string(s.N) + " K=" + std::to_string(s.K));
        const auto bytes = random_quantized(type, static_cast<std::size_t>(s.K * s.M), seed);
        const auto x = random_tensor({s.K, s.N, 1, 1}, seed + 1);
        auto gw = upload_raw(type, {s.K, s.M, 1, 1}, bytes);
        auto gx = upload(x);
        auto gout = empty(TensorType::F32, {s.M, s.N, 1, 1});
        run([&](gpu::Recorder& rec) { ops::matmul(rec, gw, gx, gout); });
        const auto got = download(gout);

        const auto raw = std::as_bytes(std::span(bytes));
        const auto expected = ops::cpu::matmul(type, raw, s.K, s.M, x);
        const auto w = dequantize(type, raw, static_cast<std::size_t>(s.K * s.M));
        for (std::int64_t n = 0; n < s.N; ++n)
            for (std::int64_t m = 0; m < s.M; ++m) {
                double magnitude = 0;
                for (std::int64_t k = 0; k < s.K; ++k)
                    magnitude +=
                        std::fabs(double(w[static_cast<std::size_t>(m * s.K + k)]) * x.at(k, n));
                const double err = std::fabs(double(got.at(m, n)) - expected.at(m, n));
                ASSERT_LE(err, tolerance(type) * magnitude + 1e-30)
                    << "at m=" << m << " n=" << n << ": expected " << expected.at(m, n) << ", got "
                    << got.at(m, n);
            }
    }
};

class MatmulOp : public MatmulCheck, public ::testing::WithParamInterface<TensorType> {
  protected:
    void check(Shape s, std::uint32_t seed) { MatmulCheck::check(GetParam(), s, seed); }
};

TEST_P(MatmulOp, MatchesCpuReference) {
    std::uint32_t seed = 10;
    for (const Shape& s : shapes_for(GetParam())) check(s, seed += 7);
}

INSTANTIATE_TEST_SUITE_P(AllTypes, MatmulOp,
                         ::testing::ValuesIn(computable_tensor_types().begin(),
                                             computable_tensor_types().end()),
                         [](const auto& p) { return std::string(tensor_type_name(p.param)); });

// PRISM_MATMUL_TILED=1 makes CPU devices run the shared-memory tiled kernel that GPUs use,
// so that lavapipe checks it too (elsewhere it changes nothing).
class MatmulTiledOp : public MatmulOp {
  protected:
    void SetUp() override {
        MatmulOp::SetUp();
        setenv("PRISM_MATMUL_TILED", "1", 1);
    }
    void TearDown() override {
        unsetenv("PRISM_MATMUL_TILED");
        MatmulOp::TearDown();
    }
};

TEST_P(MatmulTiledOp, MatchesCpuReference) {
    const std::int64_t k = tensor_type_info(GetParam()).block_elements == 256 ? 512 : 256;
    std::uint32_t seed = 90;
    for (const Shape& s : {Shape{65, 17, k}, Shape{130, 67, k}}) check(s, seed += 7);
}

INSTANTIATE_TEST_SUITE_P(SomeTypes, MatmulTiledOp,
                         ::testing::Values(TensorType::F16, TensorType::Q8_0, TensorType::Q4_K),
                         [](const auto& p) { return std::string(tensor_type_name(p.param)); });

// Sets environment variables for one test and restores them after it.
class ScopedEnv {
  public:
    ScopedEnv(std::initializer_list<std::pair<const char*, std::string>> vars) {
        for (const auto& [name, value] : vars) {
            const char* old = std::getenv(name);
            saved_.push_back({name, old != nullptr, old != nullptr ? old : ""});
            setenv(name, value.c_str(), 1);
        }
    }
    ~ScopedEnv() {
        for (const auto& v : saved_) {
            if (v.had)
                setenv(v.name, v.value.c_str(), 1);
            else
                unsetenv(v.name);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    struct Saved {
        const char* name;
        bool had;
        std::string value;
    };
    std::vector<Saved> saved_;
};

// PRISM_TEXEL_READS=0: the lanes kernel on CPU devices reads its operands through storage
// buffers, as GPUs do, instead of texel buffers (MatmulOp covers the texel reads there).
class MatmulStorageReadsOp : public MatmulOp {};

TEST_P(MatmulStorageReadsOp, MatchesCpuReference) {
    const ScopedEnv env{{"PRISM_TEXEL_READS", "0"}};
    std::uint32_t seed = 150;
    for (const Shape& s : shapes_for(GetParam())) check(s, seed += 7);
}

INSTANTIATE_TEST_SUITE_P(PlainTypes, MatmulStorageReadsOp,
                         ::testing::Values(TensorType::F32, TensorType::F16, TensorType::BF16),
                         [](const auto& p) { return std::string(tensor_type_name(p.param)); });

// Every matrix-vector configuration on whatever device runs the tests: PRISM_MATVEC=gpu (the
// GPU-tuned workgroups, 32 values per thread and step), shared (the same reduced through
// shared memory, what devices without subgroup arithmetic get) and cpu (one subgroup; for
// block types rows per invocation reading whole blocks, which CPU devices run in
// MatmulOp up to 2 or 4 columns; forced, every N up to 8 stays on matvec). Shapes: two and one rows
// per workgroup (N = 1, 5), uneven M, and rows that are not 4-byte aligned (an odd number of
// blocks: the 16-bit path, and odd blocks).
using ConfigCase = std::tuple<const char*, TensorType>;
class MatvecConfigOp : public MatmulCheck, public ::testing::WithParamInterface<ConfigCase> {};

TEST_P(MatvecConfigOp, MatchesCpuReference) {
    const auto [config, type] = GetParam();
    const ScopedEnv env{{"PRISM_MATVEC", config}};
    const bool k_quant = tensor_type_info(type).block_elements == 256;
    const std::int64_t k = k_quant ? 512 : 256;
    std::uint32_t seed = 300;
    for (const Shape& s : {Shape{130, 1, k}, Shape{65, 5, k}}) check(type, s, seed += 7);
    check(type, k_quant ? Shape{5, 1, 768} : Shape{7, 1, 96}, seed += 7);
}

INSTANTIATE_TEST_SUITE_P(
    GpuConfigs, MatvecConfigOp,
    ::testing::Combine(::testing::Values("gpu", "shared"),
                       ::testing::Values(TensorType::F16, TensorType::Q4_0, TensorType::Q2_K,
                                         TensorType::Q3_K, TensorType::Q4_K, TensorType::Q5_K,
                                         TensorType::Q6_K, TensorType::IQ4_NL)),
    [](const auto& p) {
        return std::string(std::get<0>(p.param)) + "_" +
               std::string(tensor_type_name(std::get<1>(p.param)));
    });
INSTANTIATE_TEST_SUITE_P(CpuConfig, MatvecConfigOp,
                         ::testing::Combine(::testing::Values("cpu"),
                                            ::testing::Values(TensorType::F16, TensorType::Q4_0,
                                                              TensorType::Q8_0, TensorType::Q3_K,
                                                              TensorType::Q4_K, TensorType::Q6_K,
                                                              TensorType::IQ4_NL)),
                         [](const auto& p) {
                             return std::string(std::get<0>(p.param)) + "_" +
                                    std::string(tensor_type_name(std::get<1>(p.param)));
                         });

// Each tile shape of the shared-memory tiled kernel, forced (PRISM_MATMUL_TILES; with
// PRISM_MATMUL_TILED=1 so that CPU devices run it too), at a shape past its tile on both sides
// (M >= 512 and N >= 128 for the large 128 x 128 tile) and at one smaller than a tile.
using TilesCase = std::tuple<const char*, TensorType>;
class MatmulTilesOp : public MatmulCheck, public ::testing::WithParamInterface<TilesCase> {};

TEST_P(MatmulTilesOp, MatchesCpuReference) {
    const auto [tiles, type] = GetParam();
    // The large tile's shared memory (4 * 32 * (129 + 129) bytes) is over lavapipe's 32 KiB.
    constexpr std::uint64_t kLargeTileShared = 4ull * 32 * (129 + 129);
    if (std::string_view(tiles) == "large" &&
        ctx().device().max_shared_memory_bytes < kLargeTileShared) {
        GTEST_SKIP() << "the large tile needs " << kLargeTileShared
                     << " bytes of shared memory; this device has "
                     << ctx().device().max_shared_memory_bytes;
    }
    const ScopedEnv env{{"PRISM_MATMUL_TILED", "1"}, {"PRISM_MATMUL_TILES", tiles}};
    std::uint32_t seed = 500;
    for (const Shape& s : {Shape{520, 130, 256}, Shape{65, 17, 256}}) check(type, s, seed += 7);
}

INSTANTIATE_TEST_SUITE_P(Tiles, MatmulTilesOp,
                         ::testing::Combine(::testing::Values("large", "medium", "narrow", "cpu"),
                                            ::testing::Values(TensorType::F16, TensorType::Q4_K)),
                         [](const auto& p) {
                             return std::string(std::get<0>(p.param)) + "_" +
                                    std::string(tensor_type_name(std::get<1>(p.param)));
                         });

TEST_F(GpuTest, MatmulRejectsUnknownForcedTiles) {
    const ScopedEnv env{{"PRISM_MATMUL_TILED", "1"}, {"PRISM_MATMUL_TILES", "huge"}};
    auto w =
        upload_raw(TensorType::F16, {32, 64, 1, 1}, random_quantized(TensorType::F16, 2048, 1));
    auto x = upload(random_tensor({32, 40, 1, 1}, 2));
    auto out = empty(TensorType::F32, {64, 40, 1, 1});
    auto rec = ctx().record();
    EXPECT_THROW(ops::matmul(rec, w, x, out), Error);
}

TEST_F(GpuTest, MatmulRejectsBadShapes) {
    auto w =
        upload_raw(TensorType::Q4_0, {64, 4, 1, 1}, random_quantized(TensorType::Q4_0, 256, 1));
    auto x = upload(random_tensor({64, 2, 1, 1}, 2));
    auto out = empty(TensorType::F32, {4, 2, 1, 1});
    auto rec = ctx().record();
    // K = 48 is not a whole number of Q4_0 blocks of 32.
    gpu::Tensor partial = w;
    partial.ne[0] = 48;
    EXPECT_THROW(ops::matmul(rec, partial, x, out), Error);
    // x of the wrong length, out of the wrong shape, batched x.
    auto x_short = upload(random_tensor({32, 2, 1, 1}, 3));
    EXPECT_THROW(ops::matmul(rec, w, x_short, out), Error);
    auto out_wrong = empty(TensorType::F32, {4, 3, 1, 1});
    EXPECT_THROW(ops::matmul(rec, w, x, out_wrong), Error);
    auto x_batched = upload(random_tensor({64, 2, 2, 1}, 4));
    EXPECT_THROW(ops::matmul(rec, w, x_batched, out), Error);
    try {
        ops::matmul(rec, partial, x, out);
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("block size"), std::string::npos) << e.what();
    }
}

// A weight larger than one storage binding on lavapipe (maxStorageBufferRange 128 MiB) goes
// through the op in chunks of rows; elsewhere it fits one binding and checks the same sums.
TEST_F(GpuTest, MatvecOnWeightLargerThanOneBinding) {
    constexpr std::int64_t K = 4096, M = 8400;  // F32: 137.6 MB > 128 MiB
    std::vector<float> w(static_cast<std::size_t>(K * M));
    // Multiples of 1/8 in [-1, 1) times small integers: every partial sum is exact in f32,
    // so the order of summation does not matter and the result must match exactly.
    for (std::size_t i = 0; i < w.size(); ++i) {
        w[i] = static_cast<float>(
                   static_cast<int>((static_cast<std::uint32_t>(i) * 2654435761u) >> 28) - 8) /
               8.0f;
    }
    ops::HostTensor x({K, 1, 1, 1});
    for (std::size_t i = 0; i < x.data.size(); ++i)
        x.data[i] = static_cast<float>(static_cast<int>(i % 5) - 2);
    std::vector<std::uint8_t> bytes(w.size() * 4);
    std::memcpy(bytes.data(), w.data(), bytes.size());
    auto gw = upload_raw(TensorType::F32, {K, M, 1, 1}, bytes);
    auto gx = upload(x);
    auto out = empty(TensorType::F32, {M, 1, 1, 1});
    std::uint32_t dispatches = 0;
    run([&](gpu::Recorder& rec) {
        ops::matmul(rec, gw, gx, out);
        dispatches = rec.dispatch_count();
    });
    if (bytes.size() > ctx().device().max_storage_buffer_range) {
        EXPECT_GE(dispatches, 2u);  // it was split
    }
    const auto got = download(out);
    const float* xs = x.data.data();
    for (std::int64_t m = 0; m < M; ++m) {
        const float* row = w.data() + m * K;
        float s = 0;
        for (std::int64_t k = 0; k < K; ++k) s += row[k] * xs[k];
        ASSERT_EQ(got.at(m), s) << "m=" << m;
    }
}

}  // namespace
}  // namespace prism::test
