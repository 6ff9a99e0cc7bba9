#version 450
// Rotary position embedding, one invocation per pair of a head's dims (rotated or copied).
// MODE (spec constant): 0 normal (2i, 2i+1), 1 neox (i, i + n_rot/2), 2 multi (M-RoPE: neox
// pairs, position plane by section), 3 vision (pairs (i, i + n_rot), exponent per section).
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint MODE = 0;
layout(constant_id = 2) const uint HAS_FREQ_FACTORS = 0;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer P { int positions[]; };
layout(std430, binding = 2) readonly buffer F { float freq_factors[]; };
layout(std430, binding = 3) writeonly buffer O { float o[]; };

layout(push_constant) uniform Push {
    uvec4 sections;  // first: a uvec4 needs 16-byte alignment
    uint head_dim;
    uint n_heads;
    uint n_tokens;
    uint n_rot;
    uint x_first;
    uint x_head_stride;
    uint x_token_stride;
    uint o_first;
    uint o_head_stride;
    uint o_token_stride;
    uint pos_first;
    uint ff_first;
    float log2_base;
    float freq_scale;
    float ext_factor;
    float mscale;
    float corr_low;
    float corr_high;
    uint total_pairs;
} p;

#include "rope_angle.glsl"

void main() {
    const uint idx = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (idx >= p.total_pairs) return;
    const uint pairs = p.head_dim / 2;
    const uint i = idx % pairs;
    const uint head = (idx / pairs) % p.n_heads;
    const uint token = idx / (pairs * p.n_heads);
    const uint xb = p.x_first + head * p.x_head_stride + token * p.x_token_stride;
    const uint ob = p.o_first + head * p.o_head_stride + token * p.o_token_stride;

    uint i0, i1;
    const bool rotated = rope_pair(MODE, p.n_rot, i, i0, i1);
    const float a = x[xb + i0];
    const float b = x[xb + i1];
    if (!rotated) {
        o[ob + i0] = a;
        o[ob + i1] = b;
        return;
    }
    const RopeAngle angle = RopeAngle(p.sections, p.n_rot, p.n_tokens, p.pos_first, p.ff_first,
                                      p.log2_base, p.freq_scale, p.ext_factor, p.mscale,
                                      p.corr_low, p.corr_high);
    const vec2 cs = rope_cos_sin(angle, MODE, HAS_FREQ_FACTORS != 0, i, token);
    o[ob + i0] = a * cs.x - b * cs.y;
    o[ob + i1] = a * cs.y + b * cs.x;
}
