#pragma once

// Writes small, valid GGUF files with chosen metadata and tensors, for tests.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/tensor_type.hpp"

namespace prism::test {

class GgufBuilder {
  public:
    GgufBuilder& version(std::uint32_t v);
    // Writes general.alignment (u32) and lays tensors out on that boundary.
    GgufBuilder& alignment(std::uint32_t a);

    // Appends a key (appending a key twice makes a file the reader rejects).
    template <gguf::MetadataType T>
    GgufBuilder& set(const std::string& key, const T& value);
    GgufBuilder& set(const std::string& key, const char* value) {
        return set<std::string_view>(key, value);
    }
    template <gguf::MetadataType T>
    GgufBuilder& set_array(const std::string& key, const std::vector<T>& values);

    // Appends a tensor; ne[0] is innermost. `data` must hold exactly the tensor's bytes, or be
    // empty for a deterministic byte pattern.
    GgufBuilder& tensor(const std::string& name, TensorType type, std::vector<std::uint64_t> ne,
                        std::vector<std::byte> data = {});
    // A tensor of F32 values.
    GgufBuilder& tensor_f32(const std::string& name, std::vector<std::uint64_t> ne,
                            const std::vector<float>& values);

    std::vector<std::byte> bytes() const;
    void write(const std::filesystem::path& path) const;

  private:
    struct Tensor {
        std::string name;
        TensorType type;
        std::vector<std::uint64_t> ne;
        std::vector<std::byte> data;
    };
    std::uint32_t version_ = 3;
    std::uint32_t alignment_ = 32;
    std::uint64_t n_kv_ = 0;
    std::vector<std::byte> kv_;  // encoded key/value records
    std::vector<Tensor> tensors_;
};

// A small mmproj-like file: general.architecture "clip", a vision encoder (and an audio one when
// `audio` is set) with the usual clip.* keys and a few F32/F16 tensors.
GgufBuilder synthetic_mmproj(bool audio);

}  // namespace prism::test
