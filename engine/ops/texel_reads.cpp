#include "ops/texel_reads.hpp"

#include <cstdlib>
#include <string_view>

namespace prism::ops {

bool texel_reads(const gpu::DeviceInfo& device) {
    const char* env = std::getenv("PRISM_TEXEL_READS");
    if (env != nullptr && std::string_view(env) == "0") return false;
    return device.kind == gpu::DeviceKind::cpu && device.max_texel_buffer_elements > 0;
}

bool inputs_as_texels(const gpu::DeviceInfo& device, std::initializer_list<gpu::Arg*> inputs,
                      gpu::Via via) {
    if (!texel_reads(device)) return false;
    for (const gpu::Arg* a : inputs)
        if (!texels_fit(device, *a)) return false;
    for (gpu::Arg* a : inputs) *a = as_texels(*a, via);
    return true;
}

}  // namespace prism::ops
