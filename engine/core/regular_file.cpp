#include "prism/regular_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "prism/error.hpp"

namespace prism {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
    throw Error(path.string() + ": " + problem);
}

[[noreturn]] void fail_errno(const std::filesystem::path& path, const char* what, int err) {
    fail(path, std::string("cannot ") + what + ": " + std::strerror(err));
}

const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
}

void require_regular(const std::filesystem::path& path, const struct stat& st) {
    if (!S_ISREG(st.st_mode))
        fail(path, std::string("not a regular file (") + file_kind(st.st_mode) + ")");
}

}  // namespace

RegularFile::RegularFile(const std::filesystem::path& path) : path_(path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail_errno(path, "open", errno);
    require_regular(path, st);
    // O_NONBLOCK: should the path become a FIFO between stat() and open(), open() still returns
    // (and fstat below refuses it); regular files ignore the flag.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd_ < 0) fail_errno(path, "open", errno);
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(std::exchange(fd_, -1));
        fail_errno(path, "stat", err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(std::exchange(fd_, -1));
        require_regular(path, st);
    }
    size_ = static_cast<std::uint64_t>(st.st_size);
}

RegularFile::RegularFile(RegularFile&& other) noexcept
    : path_(std::move(other.path_)),
      fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)) {}

RegularFile& RegularFile::operator=(RegularFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

std::vector<std::uint8_t> RegularFile::read_all(std::uint64_t max_bytes) const {
    if (size_ > max_bytes) {
        fail(path_, "the file is " + std::to_string(size_) + " bytes, over the limit of " +
                        std::to_string(max_bytes) + " bytes");
    }
    // Room for one byte more than the size, so that a file that grew is noticed.
    const std::uint64_t past_limit = max_bytes < UINT64_MAX ? max_bytes + 1 : max_bytes;
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size_ + 1));
    std::size_t done = 0;
    while (true) {
        const ssize_t n =
            ::pread(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail_errno(path_, "read", errno);
        if (n == 0) break;
        done += static_cast<std::size_t>(n);
        if (done > max_bytes) {
            fail(path_, "the file grew past the limit of " + std::to_string(max_bytes) +
                            " bytes while it was read");
        }
        if (done == bytes.size()) bytes.resize(std::min<std::uint64_t>(2 * done, past_limit));
    }
    bytes.resize(done);
    return bytes;
}

std::vector<std::uint8_t> read_regular_file(const std::filesystem::path& path,
                                            std::uint64_t max_bytes) {
    return RegularFile(path).read_all(max_bytes);
}

}  // namespace prism
