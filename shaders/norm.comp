#version 450
// One workgroup normalises one row (dim 0) of x: NORM_RMS gives x / sqrt(mean(x^2) + eps),
// NORM_LAYER (x - mean) / sqrt(var + eps); then optionally * weight and (layer) + bias.
// Rows of any length: each invocation strides through the row, then the workgroup reduces.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "tensor_index.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool TEXELS = false;  // x, w and bias as texels

#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer W { float w[]; };
layout(std430, binding = 2) readonly buffer B { float bias[]; };
layout(std430, binding = 3) writeonly buffer D { float d[]; };
#include "texel_inputs.glsl"

float ldx(uint i) { return TEXELS ? texel_f32_0(i) : x[i]; }
float ldw(uint i) { return TEXELS ? texel_f32_1(i) : w[i]; }
float ldbias(uint i) { return TEXELS ? texel_f32_2(i) : bias[i]; }

const uint HAS_WEIGHT = 1u;
const uint HAS_BIAS = 2u;

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 xs;
    uvec4 ds;
    uint xoff;
    uint doff;
    uint woff;
    uint ws;
    uint boff;
    uint bs;
    uint flags;
    float eps;
} p;

void main() {
    const uint row = flat_group_id();
    if (row >= p.ne.y * p.ne.z * p.ne.w) return;  // whole workgroups only: barriers stay uniform
    const uvec4 c = row_coord(row, p.ne);
    const uint xb = p.xoff + offset_of(c, p.xs);
    const uint db = p.doff + offset_of(c, p.ds);
    const uint n = p.ne.x;
    const uint t = gl_LocalInvocationID.x;

#if defined(NORM_RMS)
    float sq = 0.0;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) {
        const float v = ldx(xb + i * p.xs.x);
        sq += v * v;
    }
    const float mean = 0.0;
    const float inv = 1.0 / sqrt(workgroup_sum(sq) / float(n) + p.eps);
#elif defined(NORM_LAYER)
    float sum = 0.0;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) sum += ldx(xb + i * p.xs.x);
    const float mean = workgroup_sum(sum) / float(n);
    // Second pass over centred values: no cancellation as in E[x^2] - mean^2.
    float sq = 0.0;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) {
        const float v = ldx(xb + i * p.xs.x) - mean;
        sq += v * v;
    }
    const float inv = 1.0 / sqrt(workgroup_sum(sq) / float(n) + p.eps);
#else
#error "norm.comp needs NORM_RMS or NORM_LAYER"
#endif

    for (uint i = t; i < n; i += gl_WorkGroupSize.x) {
        float v = (ldx(xb + i * p.xs.x) - mean) * inv;
        if ((p.flags & HAS_WEIGHT) != 0u) v *= ldw(p.woff + i * p.ws);
        if ((p.flags & HAS_BIAS) != 0u) v += ldbias(p.boff + i * p.bs);
        d[db + i * p.ds.x] = v;
    }
}
