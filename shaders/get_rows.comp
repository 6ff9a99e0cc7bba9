#version 450
// out[:, i] = row ids[i] of the table, dequantized to f32 (embedding lookup). One thread per
// group of 4 elements. The table may be split into chunks of rows bound one at a time: a
// dispatch writes only the ids that fall in its chunk, and the one marked write_invalid
// writes zeros for ids outside [0, V) so that they never read out of bounds.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define W_BINDING 0
#include "dequant.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 1) readonly buffer Ids { int ids[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };

layout(push_constant) uniform Push {
    uint K;
    uint n;              // ids
    uint V;              // rows of the whole table
    uint v0;             // first row of this chunk
    uint rows;           // rows in this chunk
    uint w_first;
    uint w_stride;
    uint ids_first;
    uint out_first;
    uint out_stride;
    uint write_invalid;  // 1: this dispatch writes zeros for out-of-range ids
} p;

void main() {
    const uint groups = (p.K + 3) / 4;
    const uint gi = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (gi >= groups * p.n) return;
    const uint i = gi / groups, k = 4 * (gi % groups);
    const int id = ids[p.ids_first + i];
    vec4 v = vec4(0.0);
    if (id < 0 || uint(id) >= p.V) {
        if (p.write_invalid == 0) return;
    } else {
        const uint local = uint(id) - p.v0;  // wraps to a huge value below the chunk
        if (local >= p.rows) return;
        v = dequant_group(p.w_first + local * p.w_stride, k, p.K);
    }
    const uint o = p.out_first + i * p.out_stride + k;
    d[o] = v.x;
    if (k + 1 < p.K) d[o + 1] = v.y;
    if (k + 2 < p.K) d[o + 2] = v.z;
    if (k + 3 < p.K) d[o + 3] = v.w;
}
