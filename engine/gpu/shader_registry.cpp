#include "gpu/shader_registry.hpp"

#include <string>

#include "prism/error.hpp"

namespace prism::gpu {

namespace {

const ShaderEntry* entry(std::string_view name) {
    for (std::size_t i = 0; i < kShaderCount; ++i) {
        if (name == kShaderTable[i].name) return &kShaderTable[i];
    }
    return nullptr;
}

}  // namespace

std::span<const std::uint32_t> find_shader(std::string_view name) {
    const ShaderEntry* e = entry(name);
    if (e == nullptr)
        throw Error("shader variant '" + std::string(name) + "' is not built into this engine");
    return {e->words, *e->word_count};
}

bool has_shader(std::string_view name) {
    return entry(name) != nullptr;
}

}  // namespace prism::gpu
