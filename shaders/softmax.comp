#version 450
// One workgroup takes the softmax of one row (dim 0) of x: the first `valid` values get
// exp(scale * x - max) / sum, the rest of the row 0 (keys past a mask, or padding that a
// following product reads). Each invocation strides through the row, then the workgroup
// reduces.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "tensor_index.glsl"

layout(local_size_x_id = 0) in;

#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) buffer D { float d[]; };

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
    for (uint i = t; i < p.valid; i += gl_WorkGroupSize.x) m = max(m, p.scale * x[xb + i * p.xs.x]);
    m = workgroup_max(m);
    // The exponentials are parked in d and scaled in place: one exp per value. Each
    // invocation reads back only what it wrote itself, so x may be d.
    float sum = 0.0;
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
