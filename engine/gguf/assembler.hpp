#pragma once

// A gguf::File built from another container (whisper.cpp's ggml files): its metadata is GGUF
// key-values written here in memory, its tensors point into the other file's own bytes, so a
// model read from either container goes through the same code with nothing copied.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/tensor_type.hpp"

namespace prism::gguf {

// GGUF key-values, in the order added.
class MetadataWriter {
  public:
    void u32(std::string_view key, std::uint32_t value);
    void f32(std::string_view key, float value);
    void string(std::string_view key, std::string_view value);
    void i32_array(std::string_view key, std::span<const std::int32_t> values);
    void string_array(std::string_view key, std::span<const std::string> values);
    // A GGUF (version 3) with these key-values and no tensors.
    std::vector<std::byte> finish() const;

  private:
    void key(std::string_view key, ValueType type);
    void raw(const void* data, std::size_t n);
    void text(std::string_view s);

    std::vector<std::byte> kv_;
    std::uint64_t count_ = 0;
};

// A tensor of the other container: where its data starts in that file.
struct ForeignTensor {
    std::string name;
    TensorType type = TensorType::F32;
    std::uint32_t n_dims = 1;
    std::array<std::uint64_t, 4> ne = {1, 1, 1, 1};
    std::uint64_t file_offset = 0;
};

class Assembler {
  public:
    // Maps `path` (its name in messages is the path as given).
    explicit Assembler(const std::filesystem::path& path);
    // Copies `bytes`; for tests and fuzzing.
    Assembler(std::span<const std::byte> bytes, std::string name);

    std::span<const std::byte> bytes() const;
    const std::string& name() const;

    // The File: the metadata parsed as GGUF; each tensor checked (known type, whole blocks,
    // inside the file, no duplicate name) and pointed at its bytes. Throws FormatError.
    File finish(const MetadataWriter& metadata, std::vector<ForeignTensor> tensors) &&;

  private:
    File file_;
};

}  // namespace prism::gguf
