// Processes that close at the same time each write the pipeline cache through a file of their
// own and a rename: the folder ends with one whole cache file and no leftovers, which the next
// start loads without a warning.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "models/cli_runner.hpp"
#include "support/special_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

class PipelineCacheProcesses : public StoriesCliTest {};

// Mesa keeps its own shader cache under XDG_CACHE_HOME too; it stays where it was, so that
// moving Prism's cache does not make the driver compile everything again.
std::string mesa_cache_dir() {
    if (const char* dir = std::getenv("MESA_SHADER_CACHE_DIR"); dir && *dir) return dir;
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::string(xdg) + "/mesa_shader_cache";
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "/tmp") + "/.cache/mesa_shader_cache";
}

bool warns_about_cache(const CliRun& r) {
    return r.err.find("pipeline cache") != std::string::npos;
}

TEST_F(PipelineCacheProcesses, ProcessesClosingTogetherLeaveOneWholeFile) {
    const TempFolder cache("prism-cache-processes");
    const std::string env = "XDG_CACHE_HOME='" + cache.path().string() +
                            "' MESA_SHADER_CACHE_DIR='" + mesa_cache_dir() + "' ";
    const std::string args = "run " + m + "--raw -p 'Once upon a time' -n 2 --temp 0";
    auto first = std::async(std::launch::async, [&] { return run_cli(args, env); });
    auto second = std::async(std::launch::async, [&] { return run_cli(args, env); });
    const CliRun a = first.get(), b = second.get();
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_FALSE(warns_about_cache(a)) << a.err;
    EXPECT_FALSE(warns_about_cache(b)) << b.err;
    // Whole files only: the cache, and on devices whose shaders are primed (CPU
    // implementations) the record of primed shaders, which the processes write the same way.
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(cache.path() / "prism")) {
        const std::string name = e.path().filename().string();
        if (name.rfind("primed-", 0) == 0) {
            std::ifstream in(e.path());
            std::string header;
            std::getline(in, header);
            EXPECT_EQ(header.rfind("prism primed shaders ", 0), 0u) << name << ": " << header;
            continue;
        }
        names.push_back(name);
    }
    ASSERT_EQ(names.size(), 1u) << "left behind: " << ::testing::PrintToString(names);
    EXPECT_EQ(names[0].rfind("pipelines-", 0), 0u) << names[0];
    EXPECT_GE(fs::file_size(cache.path() / "prism" / names[0]), 32u);  // at least the header
    const CliRun next = run_cli(args, env);
    ASSERT_EQ(next.status, 0) << next.err;
    EXPECT_FALSE(warns_about_cache(next)) << next.err;
}

}  // namespace
}  // namespace prism::test
