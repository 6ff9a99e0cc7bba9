// On a device that compiles a shader when a dispatch first runs it (a CPU implementation such as
// lavapipe), the context compiles its new pipelines ahead on worker devices of its own, and the
// driver's on-disk shader cache carries each build to the context's own dispatch. The cache
// shows whether that works: it holds one build per pipeline. A second build of a pipeline means
// a dispatch missed the cache and compiled again (its texel views were of another kind than the
// worker's, or than an earlier dispatch's).

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "prism/gpu/context.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/quant.hpp"
#include "support/gpu_test.hpp"
#include "support/special_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

// Sets an environment variable for the life of the object.
class ScopedEnv {
  public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

  private:
    const char* name_;
    std::optional<std::string> old_;
};

class ShaderBuilds : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto devices = gpu::enumerate_devices();
        const auto& d = devices[gpu::select_device(devices, "")];
        if (d.kind != gpu::DeviceKind::cpu) {
            GTEST_SKIP() << d.name << " compiles when a pipeline is made: nothing to prime";
        }
        for (const char* off : {"MESA_SHADER_CACHE_DISABLE", "MESA_GLSL_CACHE_DISABLE"}) {
            if (std::getenv(off)) GTEST_SKIP() << off << " is set: the driver keeps no builds";
        }
    }

    // Files of the driver's shader cache under `folder`: one per shader build (the cache's
    // index file aside).
    static int builds(const fs::path& folder) {
        int n = 0;
        for (const auto& e : fs::recursive_directory_iterator(folder)) {
            if (e.is_regular_file() && e.path().filename() != "index") ++n;
        }
        return n;
    }

    // The record of primed shaders a context over `folder / "prism"` keeps.
    static fs::path record(const fs::path& folder) {
        for (const auto& e : fs::directory_iterator(folder / "prism")) {
            if (e.path().filename().string().rfind("primed-", 0) == 0) return e.path();
        }
        return {};
    }

    // Adds two pairs of vectors on a fresh context whose driver caches into `folder`, with
    // texel views of 400 and of 65536 bytes (bits 8-15 of the size set, and not), checks the
    // sums, and returns the context's pipeline statistics once it is closed.
    static gpu::PipelineCacheStats add_on_fresh_context(const fs::path& folder, bool primer) {
        const ScopedEnv cache("MESA_SHADER_CACHE_DIR", folder.string());
        const ScopedEnv priming("PRISM_SHADER_PRIMER", primer ? "1" : "0");
        gpu::ContextOptions options;
        options.cache_dir = folder / "prism";
        gpu::Context context(options);
        for (const std::int64_t n : {100, 16384}) {
            const auto a = random_tensor({n, 1, 1, 1}, 1);
            const auto b = random_tensor({n, 1, 1, 1}, 2);
            auto upload = [&](const ops::HostTensor& h, gpu::Buffer& keep) {
                keep = context.allocate(static_cast<std::uint64_t>(n) * 4);
                context.upload(keep.range(), std::span<const float>(h.data));
                return gpu::Tensor::contiguous(keep, TensorType::F32, {n, 1, 1, 1});
            };
            gpu::Buffer ka, kb, ko;
            const auto ta = upload(a, ka), tb = upload(b, kb);
            ko = context.allocate(static_cast<std::uint64_t>(n) * 4);
            const auto out = gpu::Tensor::contiguous(ko, TensorType::F32, {n, 1, 1, 1});
            auto rec = context.record();
            {
                const auto ahead = context.build_ahead_scope();
                ops::add(rec, ta, tb, out);
            }
            context.submit(rec);
            const auto sum = context.download<float>(ko.range());
            std::vector<float> expected(a.data.size());
            for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = a.data[i] + b.data[i];
            EXPECT_EQ(sum, expected) << n << " values";
        }
        return context.pipeline_cache_stats();
    }
};

TEST_F(ShaderBuilds, OnePerPipelineWhateverTheViewSizes) {
    const TempFolder folder("prism-shader-builds");
    const auto stats = add_on_fresh_context(folder.path(), false);
    EXPECT_FALSE(stats.primer);
    ASSERT_GT(stats.pipelines_created, 0u);
    EXPECT_EQ(builds(folder.path()) - builds(folder / "prism"),
              static_cast<int>(stats.pipelines_created));
}

TEST_F(ShaderBuilds, PrimedOnWorkersAndNotBuiltAgainByTheContext) {
    const TempFolder folder("prism-shader-builds");
    const auto stats = add_on_fresh_context(folder.path(), true);
    EXPECT_TRUE(stats.primer);
    ASSERT_GT(stats.pipelines_created, 0u);
    EXPECT_EQ(stats.primed, stats.pipelines_created);
    EXPECT_EQ(stats.unprimed, 0u);
    EXPECT_EQ(builds(folder.path()) - builds(folder / "prism"),
              static_cast<int>(stats.pipelines_created));
}

TEST_F(ShaderBuilds, WhatTheRecordListsIsNotPrimedAgain) {
    const TempFolder folder("prism-shader-builds");
    const auto first = add_on_fresh_context(folder.path(), true);
    ASSERT_GT(first.primed, 0u);
    const fs::path file = record(folder.path());
    ASSERT_FALSE(file.empty());
    std::ifstream in(file);
    std::string header;
    std::getline(in, header);
    EXPECT_EQ(header.rfind("prism primed shaders ", 0), 0u) << header;
    const int built = builds(folder.path());

    const auto second = add_on_fresh_context(folder.path(), true);
    EXPECT_EQ(second.primed, 0u);
    EXPECT_EQ(second.warnings, std::vector<std::string>{});
    EXPECT_EQ(builds(folder.path()), built) << "the driver built a recorded shader again";
}

TEST_F(ShaderBuilds, AnUnusableRecordIsIgnoredAndRebuilt) {
    const TempFolder folder("prism-shader-builds");
    add_on_fresh_context(folder.path(), true);
    const fs::path file = record(folder.path());
    ASSERT_FALSE(file.empty());
    for (const std::string& bad : {std::string("\x7f"
                                               "ELF garbage"),
                                   std::string()}) {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << bad;
        const auto stats = add_on_fresh_context(folder.path(), true);
        ASSERT_EQ(stats.warnings.size(), 1u);
        EXPECT_EQ(stats.warnings[0].rfind(file.string() + ": ", 0), 0u) << stats.warnings[0];
        EXPECT_NE(stats.warnings[0].find("ignored and rebuilt"), std::string::npos);
        std::ifstream in(file);
        std::string header;
        std::getline(in, header);
        EXPECT_EQ(header.rfind("prism primed shaders ", 0), 0u) << header;
    }
    // A FIFO in its place neither blocks the start nor survives it.
    fs::remove(file);
    ASSERT_EQ(mkfifo(file.c_str(), 0600), 0);
    gpu::PipelineCacheStats stats;
    const std::string error =
        error_without_blocking([&] { stats = add_on_fresh_context(folder.path(), true); }, file);
    ASSERT_EQ(error, "");
    ASSERT_EQ(stats.warnings.size(), 1u);
    EXPECT_NE(stats.warnings[0].find("not a regular file"), std::string::npos) << stats.warnings[0];
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(file)));
}

// A short product takes a smaller tile while the full one has never been built; its sums are
// the same bits as the full tile's (each runs over k in the same order).
TEST_F(ShaderBuilds, AShortProductBeforeTheFullTileIsBuiltGivesTheSameSums) {
    const TempFolder folder("prism-shader-builds");
    const ScopedEnv cache("MESA_SHADER_CACHE_DIR", folder.path().string());
    const ScopedEnv priming("PRISM_SHADER_PRIMER", "1");
    gpu::ContextOptions options;
    options.cache_dir = folder / "prism";
    gpu::Context context(options);
    constexpr std::int64_t K = 128, M = 96, kLong = 80, kShort = 20;
    const auto bytes = random_quantized(TensorType::Q4_0, K * M, 7);
    const auto x = random_tensor({K, kLong, 1, 1}, 8);
    gpu::Buffer bw = context.allocate(bytes.size()), bx = context.allocate(K * kLong * 4);
    context.upload(bw.range(), std::span<const std::uint8_t>(bytes));
    context.upload(bx.range(), std::span<const float>(x.data));
    const auto w = gpu::Tensor::contiguous(bw, TensorType::Q4_0, {K, M, 1, 1});
    const auto product = [&](std::int64_t n) {
        gpu::Buffer bo = context.allocate(static_cast<std::uint64_t>(M * n * 4));
        auto rec = context.record();
        ops::matmul(rec, w, gpu::Tensor::contiguous(bx, TensorType::F32, {K, n, 1, 1}),
                    gpu::Tensor::contiguous(bo, TensorType::F32, {M, n, 1, 1}));
        context.submit(rec);
        return context.download<float>(bo.range());
    };
    const auto short_sums = product(kShort);
    const auto made = context.pipeline_cache_stats().pipelines_created;
    const auto long_sums = product(kLong);
    EXPECT_EQ(context.pipeline_cache_stats().pipelines_created, made + 1)
        << "the long product did not take a tile of its own";
    ASSERT_EQ(short_sums.size(), static_cast<std::size_t>(M * kShort));
    EXPECT_EQ(short_sums, std::vector<float>(long_sums.begin(), long_sums.begin() + M * kShort));
    // And both are the product: against sums in double of the dequantized weights.
    const auto wf = dequantize(TensorType::Q4_0, std::as_bytes(std::span(bytes)), K * M);
    for (std::int64_t n = 0; n < kShort; ++n) {
        for (std::int64_t m = 0; m < M; ++m) {
            double sum = 0, magnitude = 0;
            for (std::int64_t k = 0; k < K; ++k) {
                const double term = double(wf[static_cast<std::size_t>(m * K + k)]) * x.at(k, n);
                sum += term;
                magnitude += std::fabs(term);
            }
            EXPECT_NEAR(short_sums[static_cast<std::size_t>(n * M + m)], sum,
                        1e-5 * magnitude + 1e-6)
                << "row " << m << " column " << n;
        }
    }
}

}  // namespace
}  // namespace prism::test
