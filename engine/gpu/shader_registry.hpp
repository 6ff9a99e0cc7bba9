#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace prism::gpu {

struct ShaderEntry {
    const char* name;
    const std::uint32_t* words;
    const std::size_t* word_count;
};

extern const ShaderEntry kShaderTable[];
extern const std::size_t kShaderCount;

// SPIR-V of an embedded shader variant; throws naming the variant when it is not built in.
std::span<const std::uint32_t> find_shader(std::string_view name);
// Whether a variant is built in (shaders/*.cmake declare which exist).
bool has_shader(std::string_view name);

}  // namespace prism::gpu
