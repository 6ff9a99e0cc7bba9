#version 450
// From the fused Q/K/V projection of some tokens to what attention reads: one workgroup per
// (head, token) takes a query, key or value head, RMS-normalises it per head (QK_NORM: Qwen3,
// Gemma 3), rotates queries and keys (RoPE, MODE as in rope.comp: 0 normal, 1 neox, 2 multi),
// and writes the query in f32 (zeros in the padding lanes up to hd_pad) and the key and value
// in f16 into their cache slots. One dispatch instead of norm, rope and copy per part.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#include "common.glsl"
#include "half_bits.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint MODE = 0;
layout(constant_id = 2) const uint HAS_FREQ_FACTORS = 0;
layout(constant_id = 3) const uint QK_NORM = 0;

#include "workgroup_reduce.glsl"

layout(std430, binding = 0) readonly buffer QKV { float qkv[]; };
layout(std430, binding = 1) readonly buffer P { int positions[]; };
layout(std430, binding = 2) readonly buffer F { float freq_factors[]; };
layout(std430, binding = 3) readonly buffer QN { float q_norm[]; };
layout(std430, binding = 4) readonly buffer KN { float k_norm[]; };
layout(std430, binding = 5) writeonly buffer QO { float q_out[]; };
layout(std430, binding = 6) writeonly buffer KC { uint16_t k_cache[]; };
layout(std430, binding = 7) writeonly buffer VC { uint16_t v_cache[]; };

layout(push_constant) uniform Push {
    uvec4 sections;  // first: a uvec4 needs 16-byte alignment
    uint head_dim;
    uint hd_pad;
    uint n_heads;
    uint n_kv_heads;
    uint n_tokens;
    uint n_rot;
    uint qkv_first;
    uint qkv_stride;  // floats per token
    uint q_first;
    uint q_head_stride;
    uint q_token_stride;
    uint k_first;  // halves
    uint v_first;
    uint kv_head_stride;  // halves, the same for both caches
    uint kv_token_stride;
    uint pos_first;
    uint ff_first;
    uint qn_first;
    uint kn_first;
    float log2_base;
    float freq_scale;
    float ext_factor;
    float mscale;
    float corr_low;
    float corr_high;
    float eps;
} p;

#include "rope_angle.glsl"

shared float head[256];  // attention takes head_dim <= 256
shared float rotated_head[256];

void main() {
    const uint slot = gl_WorkGroupID.x, token = gl_WorkGroupID.y;
    const uint t = gl_LocalInvocationID.x, n = p.head_dim;
    // Slots: the query heads, then the key heads, then the value heads, as the rows of the
    // fused projection are laid out.
    const uint part = slot < p.n_heads ? 0 : slot < p.n_heads + p.n_kv_heads ? 1 : 2;
    const uint src = p.qkv_first + token * p.qkv_stride + slot * n;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) head[i] = qkv[src + i];
    barrier();

    if (QK_NORM != 0 && part < 2) {  // uniform over the workgroup
        float sq = 0.0;
        for (uint i = t; i < n; i += gl_WorkGroupSize.x) sq += head[i] * head[i];
        const float inv = 1.0 / sqrt(workgroup_sum(sq) / float(n) + p.eps);
        for (uint i = t; i < n; i += gl_WorkGroupSize.x)
            head[i] = (head[i] * inv) * (part == 0 ? q_norm[p.qn_first + i] : k_norm[p.kn_first + i]);
        barrier();
    }

    if (part < 2) {
        const RopeAngle angle = RopeAngle(p.sections, p.n_rot, p.n_tokens, p.pos_first, p.ff_first,
                                          p.log2_base, p.freq_scale, p.ext_factor, p.mscale,
                                          p.corr_low, p.corr_high);
        for (uint i = t; i < n / 2; i += gl_WorkGroupSize.x) {
            uint i0, i1;
            const bool turns = rope_pair(MODE, p.n_rot, i, i0, i1);
            const float a = head[i0], b = head[i1];
            if (turns) {
                const vec2 cs = rope_cos_sin(angle, MODE, HAS_FREQ_FACTORS != 0, i, token);
                rotated_head[i0] = a * cs.x - b * cs.y;
                rotated_head[i1] = a * cs.y + b * cs.x;
            } else {
                rotated_head[i0] = a;
                rotated_head[i1] = b;
            }
        }
    } else {
        for (uint i = t; i < n; i += gl_WorkGroupSize.x) rotated_head[i] = head[i];
    }
    barrier();

    if (part == 0) {
        const uint dst = p.q_first + slot * p.q_head_stride + token * p.q_token_stride;
        for (uint i = t; i < p.hd_pad; i += gl_WorkGroupSize.x)
            q_out[dst + i] = i < n ? rotated_head[i] : 0.0;
        return;
    }
    // The cache's padding lanes are zeroed once when it is allocated and never written.
    const uint kv_head = slot - p.n_heads - (part == 2 ? p.n_kv_heads : 0);
    const uint dst = kv_head * p.kv_head_stride + token * p.kv_token_stride;
    for (uint i = t; i < n; i += gl_WorkGroupSize.x) {
        const uint bits = half_bits_from_float_bits(floatBitsToUint(rotated_head[i]));
        if (part == 1) {
            k_cache[p.k_first + dst + i] = uint16_t(bits);
        } else {
            v_cache[p.v_first + dst + i] = uint16_t(bits);
        }
    }
}
