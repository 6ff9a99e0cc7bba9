#version 450
// Elementwise a + b with b broadcast over a.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool TEXELS = false;  // a and b as texels (texel_inputs.glsl)

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };
#include "texel_inputs.glsl"

float lda(uint i) { return TEXELS ? texel_f32_0(i) : a[i]; }
float ldb(uint i) { return TEXELS ? texel_f32_1(i) : b[i]; }

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 bne;
    uvec4 as;
    uvec4 bs;
    uvec4 ds;
    uint aoff;
    uint boff;
    uint doff;
} p;

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    const uvec4 c = unflatten(i, p.ne);
    const uvec4 cb = c % p.bne;
    const float x = lda(p.aoff + c.x * p.as.x + c.y * p.as.y + c.z * p.as.z + c.w * p.as.w);
    const float y = ldb(p.boff + cb.x * p.bs.x + cb.y * p.bs.y + cb.z * p.bs.z + cb.w * p.bs.w);
    d[p.doff + c.x * p.ds.x + c.y * p.ds.y + c.z * p.ds.z + c.w * p.ds.w] = x + y;
}
