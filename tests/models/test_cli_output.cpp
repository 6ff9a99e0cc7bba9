// Output that cannot be written is an error: with stdout on a full device (/dev/full), closed,
// or a pipe nobody reads, every prism-cli command stops and exits non-zero with one line on
// stderr saying why, instead of reporting success for output nobody got.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "models/cli_runner.hpp"

namespace prism::test {
namespace {

std::string last_line(const std::string& text) {
    const std::size_t end = text.empty() || text.back() != '\n' ? text.size() : text.size() - 1;
    const std::size_t start = text.rfind('\n', end == 0 ? 0 : end - 1);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - (start + 1));
}

// Every command, each writing to stdout; chat reads one message from stdin.
std::vector<std::string> commands(const std::string& model) {
    const std::string m = "-m '" + model + "' ";
    return {
        "--help",
        "devices",
        "info '" + model + "'",
        "run " + m + "--raw -p 'Once upon a time' -n 4 -c 64",
        "generate " + m + "--tokens 1 -n 4 -c 16",
        "chat " + m + "-n 4 -c 64 <<< 'Hello'",
    };
}

class CliOutput : public StoriesCliTest {
  protected:
    // Runs under bash for the here-string of chat.
    static CliRun bash(const std::string& command) {
        return run_program("/bin/bash", "-c \"'" PRISM_CLI_PATH "' " + escaped(command) + "\"");
    }
    static std::string escaped(const std::string& s) {
        std::string out;
        for (const char c : s) {
            if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
            out += c;
        }
        return out;
    }
};

TEST_F(CliOutput, AFullDeviceIsAnError) {
    for (const std::string& command : commands(model)) {
        SCOPED_TRACE(command);
        const CliRun r = bash(command + " >/dev/full");
        EXPECT_EQ(r.status, 1) << r.err;
        EXPECT_EQ(last_line(r.err), "prism-cli: cannot write the output: No space left on device")
            << r.err;
    }
}

TEST_F(CliOutput, AClosedStdoutIsAnError) {
    for (const std::string& command : commands(model)) {
        SCOPED_TRACE(command);
        const CliRun r = bash(command + " >&-");
        EXPECT_EQ(r.status, 1) << r.err;
        EXPECT_EQ(r.err, "prism-cli: standard output is closed\n");
    }
}

TEST_F(CliOutput, ACompleteRunIsNotOne) {
    // The redirections above are what fails, not the commands.
    for (const std::string& command : commands(model)) {
        SCOPED_TRACE(command);
        const CliRun r = bash(command + " >/dev/null");
        EXPECT_EQ(r.status, 0) << r.err;
    }
}

TEST_F(CliOutput, AClosedPipeStopsTheAnswerAtOnce) {
    // Left alone, this answer would fill a 2048-token context.
    const auto t0 = std::chrono::steady_clock::now();
    const CliRun r = run_into_closed_pipe(
        PRISM_CLI_PATH, "run " + m + "--raw -p 'Once upon a time' -n -1 -c 2048 --temp 0");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Not killed by SIGPIPE (status 141): a write error like any other.
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.err, "prism-cli: cannot write the output: Broken pipe\n");
    EXPECT_LT(seconds, 10.0);
}

}  // namespace
}  // namespace prism::test
