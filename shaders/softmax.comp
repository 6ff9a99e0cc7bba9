#version 450
// One workgroup per row: out = softmax(v) over dim 0 with v = x * scale, soft-capped as
// cap * tanh(v / cap) when cap > 0, plus mask[i0, i1] (MASK_F32 / MASK_F16; none otherwise).
// Two passes over the row for any length: each invocation keeps an online (max, sum of exp)
// pair, the workgroup combines them, then every element is written. A row whose values are
// all -inf (fully masked) is written as zeros.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#include "common.glsl"
#include "tensor_index.glsl"
#include "half_bits.glsl"

layout(local_size_x_id = 0) in;

#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer X { float x[]; };
#if defined(MASK_F16)
layout(std430, binding = 1) readonly buffer M { uint16_t mask[]; };
#else
layout(std430, binding = 1) readonly buffer M { float mask[]; };
#endif
layout(std430, binding = 2) writeonly buffer D { float d[]; };

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 xs;
    uvec4 ds;
    uvec4 ms;
    uint xoff;
    uint doff;
    uint moff;
    float scale;
    float cap;
} p;

float logit(uint xb, uint mb, uint i) {
    float v = x[xb + i * p.xs.x] * p.scale;
    // tanh(10) rounds to 1 in f32; the clamp keeps tanh's exp-based form away from inf / inf.
    if (p.cap > 0.0) v = p.cap * tanh(clamp(v / p.cap, -10.0, 10.0));
#if defined(MASK_F16)
    v += uintBitsToFloat(float_bits_from_half_bits(uint(mask[mb + i * p.ms.x])));
#elif defined(MASK_F32)
    v += mask[mb + i * p.ms.x];
#endif
    return v;
}

void main() {
    const uint row = flat_group_id();
    if (row >= p.ne.y * p.ne.z * p.ne.w) return;  // whole workgroups only: barriers stay uniform
    const uvec4 c = row_coord(row, p.ne);
    const uint xb = p.xoff + offset_of(c, p.xs);
    const uint db = p.doff + offset_of(c, p.ds);
    const uint mb = p.moff + c.y * p.ms.y;  // the mask is broadcast over dims 2 and 3
    const uint n = p.ne.x;
    const uint t = gl_LocalInvocationID.x;
    const float NEG_INF = uintBitsToFloat(0xFF800000u);

    float m = NEG_INF;
    float s = 0.0;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) {
        const float v = logit(xb, mb, i);
        if (v > m) {
            s = s * exp(m - v) + 1.0;
            m = v;
        } else if (v != NEG_INF) {
            s += exp(v - m);
        }
    }
    const float row_max = workgroup_max(m);
    if (row_max == NEG_INF) {
        for (uint i = t; i < n; i += gl_WorkGroupSize.x) d[db + i * p.ds.x] = 0.0;
        return;
    }
    const float total = workgroup_sum(m == NEG_INF ? 0.0 : s * exp(m - row_max));
    const float inv = 1.0 / total;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) {
        d[db + i * p.ds.x] = exp(logit(xb, mb, i) - row_max) * inv;
    }
}
