#version 450
// Elementwise a + b with b broadcast over a.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool TEXELS = false;  // a and b as texels (texel_inputs.glsl)
// 0: any strides (one element per invocation, found by dividing its index by the sizes).
// 1: a, b and out contiguous, b the shape of a; 2: the same but b one row repeated over a's
// rows (a bias). These take a 2-D grid (x along the row, y and z over rows) and need no
// division: CPU devices divide lane by lane.
layout(constant_id = 2) const uint LAYOUT = 0;

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
    if (LAYOUT != 0) {
        const uint i0 = gl_WorkGroupID.x * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
        const uint row = gl_WorkGroupID.z * gl_NumWorkGroups.y + gl_WorkGroupID.y;
        if (i0 >= p.ne.x || row >= p.ne.y * p.ne.z * p.ne.w) return;
        const uint i = row * p.ne.x + i0;
        d[p.doff + i] = lda(p.aoff + i) + ldb(p.boff + (LAYOUT == 2 ? i0 : i));
        return;
    }
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    const uvec4 c = unflatten(i, p.ne);
    const uvec4 cb = c % p.bne;
    const float x = lda(p.aoff + c.x * p.as.x + c.y * p.as.y + c.z * p.as.z + c.w * p.as.w);
    const float y = ldb(p.boff + cb.x * p.bs.x + cb.y * p.bs.y + cb.z * p.bs.z + cb.w * p.bs.w);
    d[p.doff + c.x * p.ds.x + c.y * p.ds.y + c.z * p.ds.z + c.w * p.ds.w] = x + y;
}
