#pragma once

// Runs the real prism-cli binary as a user would, for the command-line tests.

#include <gtest/gtest.h>

#include <string>

namespace prism::test {

struct CliRun {
    int status = -1;
    std::string out, err;
};

// `args` (shell words) are appended to the quoted path of `program` (a bare name: a program
// of the build, beside prism-cli); `env` (e.g.
// "NAME=value ") goes before it. stdout is read, stderr kept apart.
CliRun run_program(const std::string& program, const std::string& args,
                   const std::string& env = "");
// run_program on prism-cli.
CliRun run_cli(const std::string& args, const std::string& env = "");
// The path of prism-bench (built beside prism-cli).
std::string bench_path();

// As run_cli, with `input` on stdin.
CliRun run_cli_with_input(const std::string& args, const std::string& input);

// Runs `program` (a path) with `args` (shell words) and stdout a pipe nobody reads (its
// read end closed before the start), SIGPIPE at its default: `out` stays empty.
CliRun run_into_closed_pipe(const std::string& program, const std::string& args);

// prism-cli on the demo model stories260K.
class StoriesCliTest : public ::testing::Test {
  protected:
    void SetUp() override;
    std::string model;  // its path
    std::string m;      // "-m '<path>' "
};

// A failed run: non-zero exit, nothing on stdout, one line on stderr containing `what`.
void expect_one_line_error(const CliRun& r, const std::string& what);

}  // namespace prism::test
