#pragma once

#include <cstddef>
#include <deque>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "prism/gguf.hpp"

namespace prism::gguf {

// A read-only memory map of a whole file; unmapped on destruction.
class MappedFile {
  public:
    MappedFile() = default;
    // Throws prism::Error naming the path when it cannot be opened or mapped.
    explicit MappedFile(const std::filesystem::path& path);
    MappedFile(MappedFile&& other) noexcept;
    MappedFile& operator=(MappedFile&& other) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    std::span<const std::byte> bytes() const { return {data_, size_}; }

  private:
    void release() noexcept;
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

// The bytes behind a File: either a map of a file or an owned copy of a buffer. A File
// assembled from another container (gguf/assembler.hpp) also owns the GGUF metadata made for it
// and its tensors' names.
struct File::Storage {
    std::string name;
    MappedFile map;
    std::vector<std::byte> owned;
    std::span<const std::byte> bytes;
    std::vector<std::byte> metadata;
    std::deque<std::string> tensor_names;
};

// Reads the key-values of a GGUF that holds no tensors (`metadata`, which must outlive `file`:
// its Storage::metadata) into `file`.
void parse_metadata(File& file, std::span<const std::byte> metadata);

}  // namespace prism::gguf
