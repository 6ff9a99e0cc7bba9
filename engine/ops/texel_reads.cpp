#include "ops/texel_reads.hpp"

#include <cstdlib>
#include <string_view>

namespace prism::ops {

bool texel_reads(const gpu::DeviceInfo& device) {
    const char* env = std::getenv("PRISM_TEXEL_READS");
    if (env != nullptr && std::string_view(env) == "0") return false;
    return device.kind == gpu::DeviceKind::cpu && device.max_texel_buffer_elements > 0;
}

}  // namespace prism::ops
