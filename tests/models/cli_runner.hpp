#pragma once

// Runs the real prism-cli binary as a user would, for the command-line tests.

#include <string>

namespace prism::test {

struct CliRun {
    int status = -1;
    std::string out, err;
};

// `args` are appended to the quoted binary path; `env` (e.g. "NAME=value ") goes before it.
CliRun run_cli(const std::string& args, const std::string& env = "");
// The same for another program of the build, e.g. "prism-bench" (built beside prism-cli).
CliRun run_program(const std::string& program, const std::string& args,
                   const std::string& env = "");

// A failed run: non-zero exit, nothing on stdout, one line on stderr containing `what`.
void expect_one_line_error(const CliRun& r, const std::string& what);

}  // namespace prism::test
