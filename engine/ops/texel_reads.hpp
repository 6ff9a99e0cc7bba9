#pragma once

#include <initializer_list>

#include "prism/gpu/device_info.hpp"
#include "prism/gpu/recorder.hpp"

namespace prism::ops {

// Whether kernels that can read their inputs as texels (gpu::Via) should. CPU Vulkan drivers
// (lavapipe) read a texel buffer with straight-line gathers but a storage buffer with a loop
// and a branch per lane; a GPU gains nothing and may cap texel buffers far lower, so only CPU
// devices take them. PRISM_TEXEL_READS=0 keeps storage reads, to compare both in one build.
bool texel_reads(const gpu::DeviceInfo& device);

// Whether `arg` fits one texel view on `device` (maxTexelBufferElements 16-byte texels).
inline bool texels_fit(const gpu::DeviceInfo& device, const gpu::Arg& arg) {
    return (arg.range.size + 15) / 16 <= device.max_texel_buffer_elements;
}

// `arg` to be read as texels of `via`'s format: its start must be 16-byte aligned (bind() gives
// that) and the shader must index it in 16-byte texels.
inline gpu::Arg as_texels(gpu::Arg arg, gpu::Via via) {
    arg.via = via;
    return arg;
}

// The read-only inputs of an elementwise or row kernel (norms, adds, softmax, copies), bound as
// texels of `via` when texel_reads(device) and every one fits, else all left as storage: the
// shader numbers its texel bindings in argument order, so it is all or none. Returns whether
// they became texels (the shader's TEXELS specialization constant).
bool inputs_as_texels(const gpu::DeviceInfo& device, std::initializer_list<gpu::Arg*> inputs,
                      gpu::Via via = gpu::Via::texel_vec4);

}  // namespace prism::ops
