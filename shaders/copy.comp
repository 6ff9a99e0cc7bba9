#version 450
// dst = src element by element in logical order, any strides on both sides, with f32/f16
// conversion on the raw bits (SRC_F16 / DST_F16 pick the storage types).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#include "common.glsl"
#include "tensor_index.glsl"
#include "half_bits.glsl"

layout(local_size_x_id = 0) in;
// The source as RGBA32UI texels (binding 12, gpu::Via::texel_uvec4) on CPU devices.
layout(constant_id = 1) const bool TEXELS = false;
layout(binding = 12) uniform usamplerBuffer s_texels;

#ifdef SRC_F16
layout(std430, binding = 0) readonly buffer S { uint16_t s[]; };
#else
layout(std430, binding = 0) readonly buffer S { uint s[]; };
#endif
#ifdef DST_F16
layout(std430, binding = 1) writeonly buffer D { uint16_t d[]; };
#else
layout(std430, binding = 1) writeonly buffer D { uint d[]; };
#endif

layout(push_constant) uniform Push {
    uvec4 sne;
    uvec4 dne;
    uvec4 ss;
    uvec4 ds;
    uint soff;
    uint doff;
} p;

uint source_bits(uint i) {
    if (!TEXELS) return uint(s[i]);
#ifdef SRC_F16
    const uint word = texelFetch(s_texels, int(i >> 3))[(i >> 1) & 3u];
    return (word >> ((i & 1u) * 16u)) & 0xFFFFu;
#else
    return texelFetch(s_texels, int(i >> 2))[i & 3u];
#endif
}

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.sne.x * p.sne.y * p.sne.z * p.sne.w) return;
    const uint bits = source_bits(p.soff + offset_of(unflatten(i, p.sne), p.ss));
    const uint at = p.doff + offset_of(unflatten(i, p.dne), p.ds);
#if defined(SRC_F16) && !defined(DST_F16)
    d[at] = float_bits_from_half_bits(bits);
#elif !defined(SRC_F16) && defined(DST_F16)
    d[at] = uint16_t(half_bits_from_float_bits(bits));
#elif defined(DST_F16)
    d[at] = uint16_t(bits);
#else
    d[at] = bits;
#endif
}
