#include "common/standard_streams.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "prism/error.hpp"

namespace prism::app {
namespace {

int first_write_errno = 0;

bool is_open(int fd) {
    return fcntl(fd, F_GETFD) != -1 || errno != EBADF;
}

void point_at_dev_null(int fd, int flags) {
    if (is_open(fd)) return;
    const int null = open("/dev/null", flags);
    // open() returns the lowest free descriptor, which is `fd` when the lower ones are open.
    if (null >= 0 && null != fd) {
        dup2(null, fd);
        close(null);
    }
}

// Checks the stream's error flag after a write or flush and remembers the first reason.
bool check_stdout(int saved_errno) {
    if (std::ferror(stdout) == 0) return true;
    if (first_write_errno == 0) first_write_errno = saved_errno != 0 ? saved_errno : EIO;
    return false;
}

// Returns false when stdout is closed.
bool prepare_standard_streams() {
    std::signal(SIGPIPE, SIG_IGN);
    point_at_dev_null(STDIN_FILENO, O_RDONLY);
    const bool out = is_open(STDOUT_FILENO);
    point_at_dev_null(STDOUT_FILENO, O_WRONLY);  // keeps the descriptor from other files
    point_at_dev_null(STDERR_FILENO, O_WRONLY);
    return out;
}

int finish_stdout(std::string_view program, int status) {
    errno = 0;
    const bool flushed = std::fflush(stdout) == 0;
    // A failed command has said why already, in its one line.
    if ((check_stdout(errno) && flushed) || status != 0) return status;
    std::fprintf(stderr, "%.*s: cannot write the output: %s\n", static_cast<int>(program.size()),
                 program.data(), stdout_error());
    return 1;
}

}  // namespace

bool write_stdout(std::string_view text) {
    if (std::ferror(stdout) != 0) return false;
    errno = 0;
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    return check_stdout(errno);
}

void write_stdout_or_throw(std::string_view text) {
    if (!write_stdout(text)) throw Error(std::string("cannot write the output: ") + stdout_error());
}

int main_with_checked_output(std::string_view program, int argc, char** argv,
                             int (*run)(int argc, char** argv)) {
    if (!prepare_standard_streams()) {
        std::fprintf(stderr, "%.*s: standard output is closed\n", static_cast<int>(program.size()),
                     program.data());
        return 1;
    }
    return finish_stdout(program, run(argc, argv));
}

const char* stdout_error() {
    return std::strerror(first_write_errno != 0 ? first_write_errno : EIO);
}

}  // namespace prism::app
