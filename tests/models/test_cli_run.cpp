// `prism-cli run` as a user runs it: the real binary on stories260K, and each bad input giving
// a one-line error and a non-zero exit.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "models/cli_runner.hpp"
#include "models/model_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

fs::path temp_path(const std::string& stem) {
    return fs::temp_directory_path() / (stem + "_" + std::to_string(::getpid()) + ".gguf");
}

TEST(CliRun, Stories260KRawGreedy) {
    const auto model = demo_model();
    const CliRun r = run_cli("run -m '" + model.string() +
                             "' --raw -p 'Once upon a time, there was a little girl named "
                             "Lily.' -n 12 --temp 0 -c 128");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.rfind("Once upon a time, there was a little girl named Lily. She loved to "
                          "play outside",
                          0),
              0u)
        << r.out;
    EXPECT_NE(r.err.find("generation: 12 tokens"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("tok/s"), std::string::npos) << r.err;
}

TEST(CliRun, MissingFile) {
    expect_one_line_error(run_cli("run -m /nonexistent/model.gguf -p hi"),
                          "/nonexistent/model.gguf");
}

TEST(CliRun, NotAGguf) {
    const fs::path path = temp_path("not_a_gguf");
    std::ofstream(path) << "this is a text file, not a model\n";
    expect_one_line_error(run_cli("run -m '" + path.string() + "' -p hi"), path.string());
    fs::remove(path);
}

TEST(CliRun, UnsupportedArchitectureIsNamed) {
    const fs::path path = temp_path("mamba");
    tiny_llama({.architecture = "mamba"}).write(path);
    expect_one_line_error(run_cli("run -m '" + path.string() + "' -p hi"), "mamba");
    fs::remove(path);
}

TEST(CliRun, ModelLargerThanDeviceMemorySaysHowMuch) {
    // stories260K needs about 1.3 MiB; PRISM_MEMORY_BUDGET_MIB stands in for a small device.
    const auto model = demo_model();
    const CliRun r =
        run_cli("run -m '" + model.string() + "' -p hi -c 512", "PRISM_MEMORY_BUDGET_MIB=1 ");
    expect_one_line_error(r, "of device memory");
    EXPECT_NE(r.err.find("has 1.0 MiB"), std::string::npos) << r.err;
}

TEST(CliRun, EmptyPrompt) {
    const auto model = demo_model();
    expect_one_line_error(run_cli("run -m '" + model.string() + "' -p ''"), "prompt is empty");
}

}  // namespace
}  // namespace prism::test
