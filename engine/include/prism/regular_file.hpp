#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

namespace prism {

// A file opened for reading only when it is a regular file. FIFOs, devices, sockets and
// folders are refused before they are opened: open() on a FIFO blocks until a writer comes,
// a device's size says nothing about how much it yields, and opening some devices has effects.
// Every failure is a prism::Error "<path>: <problem>", e.g. "f: not a regular file (a FIFO)".
class RegularFile {
  public:
    explicit RegularFile(const std::filesystem::path& path);
    RegularFile(RegularFile&& other) noexcept;
    RegularFile& operator=(RegularFile&& other) noexcept;
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;
    ~RegularFile();

    int descriptor() const { return fd_; }
    // The size when it was opened.
    std::uint64_t size() const { return size_; }
    // The whole file, refused when it holds more than max_bytes: checked against the size
    // first and again while reading, since the file may grow meanwhile.
    std::vector<std::uint8_t> read_all(std::uint64_t max_bytes) const;

  private:
    std::filesystem::path path_;
    int fd_ = -1;
    std::uint64_t size_ = 0;
};

// RegularFile(path).read_all(max_bytes).
std::vector<std::uint8_t> read_regular_file(const std::filesystem::path& path,
                                            std::uint64_t max_bytes);

}  // namespace prism
