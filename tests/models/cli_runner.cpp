#include "models/cli_runner.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace prism::test {

CliRun run_cli(const std::string& args, const std::string& env) {
    return run_program("prism-cli", args, env);
}

CliRun run_program(const std::string& program, const std::string& args, const std::string& env) {
    namespace fs = std::filesystem;
    const fs::path binary = fs::path(PRISM_CLI_PATH).parent_path() / program;
    const fs::path err_file =
        fs::temp_directory_path() / ("prism_cli_err_" + std::to_string(::getpid()));
    const std::string command =
        env + "'" + binary.string() + "' " + args + " 2>'" + err_file.string() + "'";
    CliRun r;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return r;
    std::array<char, 4096> buf;
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0;)
        r.out.append(buf.data(), n);
    const int raw = ::pclose(pipe);
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    std::ifstream in(err_file);
    r.err.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    fs::remove(err_file);
    return r;
}

void expect_one_line_error(const CliRun& r, const std::string& what) {
    EXPECT_NE(r.status, 0);
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

}  // namespace prism::test
