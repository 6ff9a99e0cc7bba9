#include "models/cli_runner.hpp"

#include "models/model_files.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace prism::test {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& stem) {
    return fs::temp_directory_path() / (stem + "_" + std::to_string(::getpid()));
}

// The file's text; the file is removed.
std::string take_text(const fs::path& file) {
    std::string text;
    {
        std::ifstream in(file);
        text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    fs::remove(file);
    return text;
}

}  // namespace

CliRun run_cli(const std::string& args, const std::string& env) {
    return run_program(PRISM_CLI_PATH, args, env);
}

std::string bench_path() {
    return (fs::path(PRISM_CLI_PATH).parent_path() / "prism-bench").string();
}

CliRun run_program(const std::string& program, const std::string& args, const std::string& env) {
    // A bare name is a program of the build, beside prism-cli.
    const fs::path binary = program.find('/') == std::string::npos
                                ? fs::path(PRISM_CLI_PATH).parent_path() / program
                                : fs::path(program);
    const fs::path err_file = scratch("prism_cli_err");
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
    r.err = take_text(err_file);
    return r;
}

CliRun run_cli_with_input(const std::string& args, const std::string& input) {
    const fs::path in_file = scratch("prism_cli_in");
    std::ofstream(in_file, std::ios::binary) << input;
    CliRun r = run_cli(args + " <'" + in_file.string() + "'");
    fs::remove(in_file);
    return r;
}

CliRun run_into_closed_pipe(const std::string& program, const std::string& args) {
    const fs::path err_file = scratch("prism_pipe_err");
    const std::string command = "'" + program + "' " + args + " 2>'" + err_file.string() + "'";
    CliRun r;
    int fds[2];
    if (::pipe(fds) != 0) return r;
    ::close(fds[0]);  // no reader: every write to the pipe fails
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::signal(SIGPIPE, SIG_DFL);  // the program must cope on its own
        ::dup2(fds[1], STDOUT_FILENO);
        ::close(fds[1]);
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(fds[1]);
    int raw = 0;
    if (pid < 0 || ::waitpid(pid, &raw, 0) != pid) return r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
    r.err = take_text(err_file);
    return r;
}

void StoriesCliTest::SetUp() {
    model = demo_model().string();
    m = "-m '" + model + "' ";
}

void expect_one_line_error(const CliRun& r, const std::string& what) {
    EXPECT_NE(r.status, 0);
    EXPECT_EQ(r.out, "");
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
}

}  // namespace prism::test
