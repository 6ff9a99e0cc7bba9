#pragma once

#include "prism/gpu/device_info.hpp"
#include "prism/gpu/recorder.hpp"

namespace prism::ops {

// Whether kernels that can read their inputs as texels (gpu::Via) should. CPU Vulkan drivers
// (lavapipe) read a texel buffer with straight-line gathers but a storage buffer with a loop
// and a branch per lane; a GPU gains nothing and may cap texel buffers far lower, so only CPU
// devices take them. PRISM_TEXEL_READS=0 keeps storage reads, to compare both in one build.
bool texel_reads(const gpu::DeviceInfo& device);

// `arg` to be read as texels of `via`'s format: its start must be 16-byte aligned (bind() gives
// that) and the shader must index it in 16-byte texels.
inline gpu::Arg as_texels(gpu::Arg arg, gpu::Via via) {
    arg.via = via;
    return arg;
}

}  // namespace prism::ops
