// A pipeline cache file that cannot be used (a link to a device, a FIFO, a folder, truncated,
// garbage, another device's) is a warning and a rebuilt cache, never a failed or hung start;
// contexts that save at the same time each write a whole file of their own.

#include <gtest/gtest.h>

#include <barrier>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "prism/gpu/context.hpp"
#include "prism/gpu/device_info.hpp"
#include "support/special_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

class PipelineCacheFiles : public ::testing::Test {
  protected:
    gpu::ContextOptions options() const {
        gpu::ContextOptions o;
        o.cache_dir = folder_.path();
        return o;
    }

    // Where a context over options() keeps its cache (named by the device it picks).
    fs::path cache_file() const {
        const auto devices = gpu::enumerate_devices();
        const auto& d = devices[gpu::select_device(devices, "")];
        char name[64];
        std::snprintf(name, sizeof(name), "pipelines-%04x-%04x.bin", d.vendor_id, d.device_id);
        return folder_ / name;
    }

    void write_cache(const std::string& bytes) const {
        std::ofstream(cache_file(), std::ios::binary) << bytes;
    }

    // A context over the bad cache starts, loads nothing and warns once naming the file and
    // `problem`; after it compiled a pipeline and closed, the file is a cache the next context
    // loads without a word.
    void expect_warned_and_rebuilt(const std::string& problem) const {
        const fs::path file = cache_file();
        gpu::PipelineCacheStats stats;
        const std::string error = error_without_blocking(
            [&] {
                gpu::Context context(options());
                context.pipeline("binary_add", std::vector<std::uint32_t>{64});
                stats = context.pipeline_cache_stats();
            },
            file);
        ASSERT_EQ(error, "");
        EXPECT_EQ(stats.loaded_bytes, 0u);
        ASSERT_EQ(stats.warnings.size(), 1u);
        EXPECT_EQ(stats.warnings[0].rfind(file.string() + ": ", 0), 0u) << stats.warnings[0];
        EXPECT_NE(stats.warnings[0].find(problem), std::string::npos) << stats.warnings[0];
        EXPECT_NE(stats.warnings[0].find("ignored and rebuilt"), std::string::npos);

        EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(file))) << file;
        gpu::Context next(options());
        EXPECT_GT(next.pipeline_cache_stats().loaded_bytes, 0u);
        EXPECT_EQ(next.pipeline_cache_stats().warnings, std::vector<std::string>{});
    }

    // The names in the cache folder.
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(folder_.path()))
            names.push_back(e.path().filename().string());
        return names;
    }

    TempFolder folder_{"prism-pipeline-cache"};
};

TEST_F(PipelineCacheFiles, LinkToADevice) {
    fs::create_symlink("/dev/zero", cache_file());
    expect_warned_and_rebuilt("not a regular file (a character device)");
}

TEST_F(PipelineCacheFiles, Fifo) {
    folder_.fifo(cache_file().filename().string());
    expect_warned_and_rebuilt("not a regular file (a FIFO)");
}

TEST_F(PipelineCacheFiles, EmptyFolder) {
    fs::create_directory(cache_file());
    expect_warned_and_rebuilt("not a regular file (a folder)");
}

TEST_F(PipelineCacheFiles, FolderWithFilesIsLeftAlone) {
    fs::create_directory(cache_file());
    std::ofstream(cache_file() / "keep.txt") << "user data";
    gpu::Context context(options());
    context.pipeline("binary_add", std::vector<std::uint32_t>{64});
    context.save_pipeline_cache();
    const auto warnings = context.pipeline_cache_stats().warnings;
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_NE(warnings[0].find("not a regular file (a folder)"), std::string::npos) << warnings[0];
    EXPECT_NE(warnings[1].find("cannot save the pipeline cache"), std::string::npos) << warnings[1];
    EXPECT_TRUE(fs::exists(cache_file() / "keep.txt"));
    EXPECT_EQ(entries().size(), 1u);  // no temporary file left behind
}

TEST_F(PipelineCacheFiles, TruncatedFile) {
    {
        gpu::Context context(options());
        context.pipeline("binary_add", std::vector<std::uint32_t>{64});
    }
    fs::resize_file(cache_file(), 20);
    expect_warned_and_rebuilt("truncated: 20 bytes");
}

TEST_F(PipelineCacheFiles, GarbageFile) {
    write_cache(std::string(4096, '\x5a'));
    expect_warned_and_rebuilt("header size");
}

TEST_F(PipelineCacheFiles, AnotherDevicesCache) {
    {
        gpu::Context context(options());
        context.pipeline("binary_add", std::vector<std::uint32_t>{64});
    }
    std::fstream f(cache_file(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(8);
    f.write("\xef\xbe\xad\xde", 4);  // vendor id 0xdeadbeef
    f.close();
    expect_warned_and_rebuilt("made for device 0xdeadbeef:");
}

TEST_F(PipelineCacheFiles, ContextsSavingAtOnceEachWriteAWholeFile) {
    constexpr int kSaves = 8;
    std::barrier together(2);
    std::vector<std::string> warnings[2];
    const auto run = [&](int who) {
        gpu::Context context(options());
        context.pipeline("binary_add", std::vector<std::uint32_t>{64});
        context.pipeline("scale", std::vector<std::uint32_t>{64});
        for (int i = 0; i < kSaves; ++i) {
            together.arrive_and_wait();
            context.save_pipeline_cache();
        }
        warnings[who] = context.pipeline_cache_stats().warnings;
    };
    std::thread first(run, 0), second(run, 1);
    first.join();
    second.join();
    EXPECT_EQ(warnings[0], std::vector<std::string>{});
    EXPECT_EQ(warnings[1], std::vector<std::string>{});
    // Whole files only, no temporary ones: the cache, and on devices whose shaders are primed
    // (CPU implementations) the record of primed shaders, written the same way.
    auto names = entries();
    std::erase_if(names, [](const std::string& n) { return n.rfind("primed-", 0) == 0; });
    EXPECT_EQ(names, std::vector<std::string>{cache_file().filename().string()});
    EXPECT_LE(entries().size(), 2u);
    gpu::Context next(options());
    EXPECT_GT(next.pipeline_cache_stats().loaded_bytes, 0u);
    EXPECT_EQ(next.pipeline_cache_stats().warnings, std::vector<std::string>{});
}

}  // namespace
}  // namespace prism::test
