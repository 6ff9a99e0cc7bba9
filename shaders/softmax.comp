#version 450
// One workgroup takes the softmax of one row (dim 0) of x: the first `valid` values get
// exp(scale * x - max) / sum, the rest of the row 0 (keys past a mask, or padding that a
// following product reads). Each invocation strides through the row, then the workgroup
// reduces.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "tensor_index.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool TEXELS = false;  // x as texels (texel_inputs.glsl)

#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer D { float d[]; };
#include "texel_inputs.glsl"

float ldx(uint i) { return TEXELS ? texel_f32_0(i) : x[i]; }

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 xs;
    uvec4 ds;
    uint xoff;
    uint doff;
    uint valid;
    float scale;
} p;

void main() {
    const uint row = flat_group_id();
    if (row >= p.ne.y * p.ne.z * p.ne.w) return;  // whole workgroups only: barriers stay uniform
    const uvec4 c = row_coord(row, p.ne);
    const uint xb = p.xoff + offset_of(c, p.xs);
    const uint db = p.doff + offset_of(c, p.ds);
    const uint t = gl_LocalInvocationID.x;

    float m = -1.0 / 0.0;
    for (uint i = t; i < p.valid; i += gl_WorkGroupSize.x) m = max(m, p.scale * ldx(xb + i * p.xs.x));
    m = workgroup_max(m);
    float sum = 0.0;
    if (TEXELS) {
        // Texel reads are cheap and storage reads are not (CPU devices): the exponentials are
        // computed twice instead of being parked in d. Each invocation reads its own values
        // before it overwrites them, so x may be d.
        for (uint i = t; i < p.valid; i += gl_WorkGroupSize.x)
            sum += exp(p.scale * ldx(xb + i * p.xs.x) - m);
        const float inv = 1.0 / workgroup_sum(sum);
        for (uint i = t; i < p.ne.x; i += gl_WorkGroupSize.x) {
            d[db + i * p.ds.x] = i < p.valid ? exp(p.scale * ldx(xb + i * p.xs.x) - m) * inv : 0.0;
        }
        return;
    }
    // The exponentials are parked in d and scaled in place: one exp per value. Each
    // invocation reads back only what it wrote itself, so x may be d.
    for (uint i = t; i < p.valid; i += gl_WorkGroupSize.x) {
        const float e = exp(p.scale * x[xb + i * p.xs.x] - m);
        d[db + i * p.ds.x] = e;
        sum += e;
    }
    const float inv = 1.0 / workgroup_sum(sum);
    for (uint i = t; i < p.ne.x; i += gl_WorkGroupSize.x) {
        d[db + i * p.ds.x] = i < p.valid ? d[db + i * p.ds.x] * inv : 0.0;
    }
}
