#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "support/gguf_builder.hpp"
#include "support/test_files.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

struct CliRun {
    int status;
    std::string output;  // stdout and stderr
};

CliRun run_cli(const std::string& args) {
    const std::string command = std::string("'") + PRISM_CLI_PATH + "' " + args + " 2>&1";
    CliRun r{-1, {}};
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return r;
    std::array<char, 4096> buf;
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;)
        r.output.append(buf.data(), n);
    const int raw = ::pclose(pipe);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    return r;
}

void expect_line(const std::string& out, const std::string& label, const std::string& value) {
    const auto at = out.find(label + ":");
    ASSERT_NE(at, std::string::npos) << "no '" << label << "' in:\n" << out;
    const auto end = out.find('\n', at);
    const std::string line = out.substr(at, end - at);
    EXPECT_NE(line.find(value), std::string::npos) << "line: " << line;
}

fs::path temp_file(const std::string& stem) {
    return fs::temp_directory_path() / (stem + "_" + std::to_string(::getpid()) + ".gguf");
}

// A split model from its last shard: the whole set, named by its first shard.
TEST(CliInfo, SplitModelFromAnyShard) {
    const fs::path last = test::test_data("models/split/tiny-llama-f32-00003-of-00003.gguf");
    const CliRun r = run_cli("info '" + last.string() + "'");
    ASSERT_EQ(r.status, 0) << r.output;
    expect_line(r.output, "file", "tiny-llama-f32-00001-of-00003.gguf");
    expect_line(r.output, "shards", "3");
    expect_line(r.output, "tensors", "22");
    std::uintmax_t bytes = 0;
    for (const char* part : {"00001", "00002", "00003"})
        bytes += fs::file_size(
            test::test_data(std::string("models/split/tiny-llama-f32-") + part + "-of-00003.gguf"));
    expect_line(r.output, "file size", std::to_string(bytes) + " bytes");
}

TEST(CliInfo, Stories260K) {
    const fs::path path = test::demo_model();
    const CliRun r = run_cli("info '" + path.string() + "'");
    ASSERT_EQ(r.status, 0) << r.output;
    expect_line(r.output, "architecture", "llama");
    expect_line(r.output, "GGUF version", "3");
    expect_line(r.output, "context length", "2048");
    expect_line(r.output, "tensors", "48");
    expect_line(r.output, "parameters", "292800");
    expect_line(r.output, "file size", "1185376 bytes");
    expect_line(r.output, "tensors", "48");
    const auto f32 = r.output.find("\n  F32 ");
    ASSERT_NE(f32, std::string::npos) << r.output;
    const std::string row = r.output.substr(f32 + 1, r.output.find('\n', f32 + 1) - f32 - 1);
    EXPECT_NE(row.find(" 48 tensors"), std::string::npos) << row;
    EXPECT_NE(row.find(" 292800 elements"), std::string::npos) << row;
}

TEST(CliInfo, SyntheticMmprojWithVisionAndAudio) {
    const fs::path path = temp_file("prism_cli_mmproj");
    test::synthetic_mmproj(/*audio=*/true).write(path);
    const CliRun r = run_cli("info '" + path.string() + "'");
    fs::remove(path);
    ASSERT_EQ(r.status, 0) << r.output;
    expect_line(r.output, "architecture", "clip");
    expect_line(r.output, "name", "synthetic-mmproj");
    expect_line(r.output, "projector type", "idefics3");
    expect_line(r.output, "encoders", "vision, audio");
    expect_line(r.output, "image size", "64");
    expect_line(r.output, "patch size", "16");
    expect_line(r.output, "mel bins", "80");
    EXPECT_NE(r.output.find("Q8_0"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("context length"), std::string::npos) << r.output;
    // The vision block comes first: its widths are 32/96 with 2 layers, audio's 24/64 with 1.
    const auto audio_at = r.output.find("audio encoder:");
    ASSERT_NE(audio_at, std::string::npos) << r.output;
    const std::string vision = r.output.substr(0, audio_at);
    const std::string audio = r.output.substr(audio_at);
    expect_line(vision, "embedding length", "32");
    expect_line(vision, "feed-forward length", "96");
    expect_line(vision, "layers", "2");
    expect_line(audio, "embedding length", "24");
    expect_line(audio, "feed-forward length", "64");
    expect_line(audio, "layers", "1");
    expect_line(audio, "projector type", "ultravox");
}

TEST(CliInfo, VisionOnlyMmproj) {
    const fs::path path = temp_file("prism_cli_vision");
    test::synthetic_mmproj(/*audio=*/false).write(path);
    const CliRun r = run_cli("info '" + path.string() + "'");
    fs::remove(path);
    ASSERT_EQ(r.status, 0) << r.output;
    expect_line(r.output, "encoders", "vision");
    EXPECT_EQ(r.output.find("audio encoder:"), std::string::npos) << r.output;
}

TEST(CliInfo, BadFileGivesOneLineErrorAndFailure) {
    const fs::path path = fs::path(PRISM_TEST_DATA_DIR) / "gguf-bad" / "n_dims_5.gguf";
    const CliRun r = run_cli("info '" + path.string() + "'");
    EXPECT_NE(r.status, 0);
    EXPECT_EQ(std::count(r.output.begin(), r.output.end(), '\n'), 1) << r.output;
    EXPECT_NE(r.output.find("n_dims_5.gguf: tensor 'blk.0.attn_q.weight' has 5 dimensions"),
              std::string::npos)
        << r.output;
}

TEST(CliInfo, MissingFileFails) {
    const CliRun r = run_cli("info /nonexistent/model.gguf");
    EXPECT_NE(r.status, 0);
    EXPECT_NE(r.output.find("/nonexistent/model.gguf: cannot open"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace prism
