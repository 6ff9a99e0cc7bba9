#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <numeric>

#include "prism/error.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/ops/binary.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

TEST(Devices, EnumerationReportsLimits) {
    const auto devices = gpu::enumerate_devices();
    ASSERT_FALSE(devices.empty());
    for (const auto& d : devices) {
        EXPECT_FALSE(d.name.empty());
        EXPECT_GT(d.max_storage_buffer_range, 0u);
        EXPECT_GE(d.subgroup_size, 1u);
        EXPECT_FALSE(d.heaps.empty());
    }
}

TEST(Devices, SelectionByIndexNameAndErrors) {
    const auto devices = gpu::enumerate_devices();
    EXPECT_EQ(gpu::select_device(devices, "0"), 0u);
    const std::string part = devices[0].name.substr(0, 4);
    EXPECT_EQ(devices[gpu::select_device(devices, part)].name.substr(0, 4), part);
    EXPECT_THROW(gpu::select_device(devices, "99"), Error);
    EXPECT_THROW(gpu::select_device(devices, "no-such-gpu-name"), Error);
}

TEST_F(GpuTest, UploadDownloadRoundTripThroughStagingInChunks) {
    gpu::ContextOptions options;
    options.validation = true;
    options.force_staging = true;
    options.staging_bytes = 1 << 16;  // force many chunks
    gpu::Context staged(options);
    std::vector<std::uint32_t> data(300'001);
    std::iota(data.begin(), data.end(), 7u);
    auto buf = staged.allocate(data.size() * 4);
    staged.upload(buf.range(), std::span<const std::uint32_t>(data));
    EXPECT_EQ(staged.download<std::uint32_t>(buf.range()), data);
    EXPECT_GE(staged.memory_stats().staged_uploads, 2 * data.size() * 4 / (1 << 16));
    EXPECT_TRUE(staged.validation_messages().empty());
}

TEST_F(GpuTest, SubAllocatorPacksBuffersIntoFewBlocks) {
    gpu::ContextOptions options;
    options.block_bytes = 8 << 20;
    gpu::Context c(options);
    const auto before = c.memory_stats().device_blocks;
    std::vector<gpu::Buffer> many;
    for (int i = 0; i < 100; ++i) many.push_back(c.allocate(10'000));
    EXPECT_EQ(c.memory_stats().device_blocks - before, 0u);  // they fit in the first block
    many.clear();
    EXPECT_LE(c.memory_stats().device_in_use, 256u);  // only the internal dummy remains
    auto big = c.allocate(20 << 20);                  // larger than a block: its own block
    EXPECT_EQ(c.memory_stats().device_blocks, before + 1);
}

TEST_F(GpuTest, OutOfMemoryIsAnErrorNamingTheDevice) {
    try {
        auto b = ctx().allocate(std::uint64_t(1) << 50);
        FAIL() << "allocating a petabyte succeeded";
    } catch (const GpuError& e) {
        EXPECT_EQ(e.kind(), GpuError::Kind::out_of_memory);
        EXPECT_NE(std::string(e.what()).find(ctx().device().name), std::string::npos) << e.what();
    }
}

TEST_F(GpuTest, BarriersOnlyBetweenDependentDispatches) {
    const auto a = random_tensor({1024, 1, 1, 1}, 1);
    auto x = upload(a), y = upload(a);
    auto p = empty(TensorType::F32, a.ne), q = empty(TensorType::F32, a.ne);
    auto rec = ctx().record();
    ops::add(rec, x, x, p);  // independent of the next
    ops::add(rec, y, y, q);
    EXPECT_EQ(rec.barrier_count(), 0u);
    ops::add(rec, p, q, x);  // reads both results
    EXPECT_EQ(rec.barrier_count(), 1u);
    ops::add(rec, y, y, y);  // writes what the previous one... does not read; no hazard
    ops::add(rec, x, x, p);  // reads x written above
    EXPECT_EQ(rec.barrier_count(), 2u);
    ctx().submit(rec);
    const auto got = download(p);
    for (std::size_t i = 0; i < got.data.size(); ++i) EXPECT_EQ(got.data[i], 8 * a.data[i]);
}

TEST_F(GpuTest, BindingLargerThanStorageRangeIsRejected) {
    const auto range = ctx().device().max_storage_buffer_range;
    if (range >= (std::uint64_t(1) << 31))
        GTEST_SKIP() << "needs a device whose storage-buffer range is under 2 GiB; this one's is "
                     << range << " bytes";
    auto big = ctx().allocate(range + 1024);
    auto t = gpu::Tensor::contiguous(big, TensorType::F32,
                                     {static_cast<std::int64_t>((range + 1024) / 4)});
    auto rec = ctx().record();
    EXPECT_THROW(ops::add(rec, t, t, t), Error);
}

TEST(PipelineCache, SecondContextLoadsWhatTheFirstSaved) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("prism-cache-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    gpu::ContextOptions options;
    options.cache_dir = dir;
    {
        gpu::Context first(options);
        EXPECT_EQ(first.pipeline_cache_stats().loaded_bytes, 0u);
        first.pipeline("binary_add", std::vector<std::uint32_t>{64});
    }
    gpu::Context second(options);
    EXPECT_GT(second.pipeline_cache_stats().loaded_bytes, 0u);
    EXPECT_TRUE(std::filesystem::exists(second.pipeline_cache_stats().file));
    std::filesystem::remove_all(dir);
}

TEST(PipelineCache, CorruptCacheFileIsIgnored) {
    const auto dir =
        std::filesystem::temp_directory_path() / ("prism-cache-bad-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    gpu::ContextOptions options;
    options.cache_dir = dir;
    std::filesystem::path file;
    { file = gpu::Context(options).pipeline_cache_stats().file; }
    std::filesystem::create_directories(dir);
    {
        std::FILE* f = std::fopen(file.c_str(), "wb");
        const char junk[] = "this is not a pipeline cache, it is junk of some length............";
        std::fwrite(junk, 1, sizeof(junk), f);
        std::fclose(f);
    }
    gpu::Context c(options);
    EXPECT_EQ(c.pipeline_cache_stats().loaded_bytes, 0u);
    c.pipeline("binary_add", std::vector<std::uint32_t>{64});
    std::filesystem::remove_all(dir);
}

TEST(Shaders, UnknownVariantIsANamedError) {
    gpu::Context c;
    try {
        c.pipeline("no_such_shader");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no_such_shader"), std::string::npos);
    }
}

}  // namespace
}  // namespace prism::test
