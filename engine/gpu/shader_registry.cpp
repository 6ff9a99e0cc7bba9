#include "gpu/shader_registry.hpp"

#include <string>

#include "prism/error.hpp"

namespace prism::gpu {

std::span<const std::uint32_t> find_shader(std::string_view name) {
    for (std::size_t i = 0; i < kShaderCount; ++i) {
        if (name == kShaderTable[i].name)
            return {kShaderTable[i].words, *kShaderTable[i].word_count};
    }
    throw Error("shader variant '" + std::string(name) + "' is not built into this engine");
}

}  // namespace prism::gpu
