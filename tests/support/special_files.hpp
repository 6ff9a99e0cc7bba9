#pragma once

// Temporary folders with test files and special files in them (FIFOs, links to devices), and a
// guard that turns a call which would block on a FIFO into a test failure instead of a hung test.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

namespace prism::test {

// A fresh folder under the temporary directory, removed with everything in it on destruction.
class TempFolder {
  public:
    explicit TempFolder(const std::string& stem);
    ~TempFolder();
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
    // Creates a FIFO (mkfifo) in the folder and returns its path.
    std::filesystem::path fifo(const std::string& name) const;
    // Writes `bytes` to a file of the folder and returns its path.
    std::filesystem::path write(const std::string& name, std::span<const std::uint8_t> bytes) const;

  private:
    std::filesystem::path path_;
};

// Runs `call` on another thread and returns the message of the exception it throws ("" when
// it returns). When it has not finished within `limit`, the FIFO at `fifo` is opened for
// writing and closed, which releases an open() blocked on it, and the test fails: a regression
// fails the test rather than hanging it.
std::string error_without_blocking(const std::function<void()>& call,
                                   const std::filesystem::path& fifo,
                                   std::chrono::seconds limit = std::chrono::seconds(20));

}  // namespace prism::test
