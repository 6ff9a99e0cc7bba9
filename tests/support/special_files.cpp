#include "support/special_files.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <future>
#include <stdexcept>

namespace prism::test {

TempFolder::TempFolder(const std::string& stem) {
    std::string pattern = (std::filesystem::temp_directory_path() / (stem + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw std::runtime_error("mkdtemp " + pattern + ": " + std::strerror(errno));
    path_ = pattern;
}

TempFolder::~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::filesystem::path TempFolder::fifo(const std::string& name) const {
    const auto path = path_ / name;
    if (::mkfifo(path.c_str(), 0600) != 0)
        throw std::runtime_error("mkfifo " + path.string() + ": " + std::strerror(errno));
    return path;
}

std::filesystem::path TempFolder::write(const std::string& name,
                                        std::span<const std::uint8_t> bytes) const {
    const auto path = path_ / name;
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return path;
}

std::string error_without_blocking(const std::function<void()>& call,
                                   const std::filesystem::path& fifo, std::chrono::seconds limit) {
    auto done = std::async(std::launch::async, [&]() -> std::string {
        try {
            call();
        } catch (const std::exception& e) {
            return e.what();
        }
        return "";
    });
    if (done.wait_for(limit) == std::future_status::timeout) {
        ADD_FAILURE() << "still blocked after " << limit.count() << " s on " << fifo;
        // A reader blocked in open() returns once a writer opens; the write end then closes, so
        // a blocked read() sees end of file.
        while (done.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout) {
            const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd >= 0) ::close(fd);
        }
    }
    return done.get();
}

}  // namespace prism::test
