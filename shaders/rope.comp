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

const float kTwoPiHi = 6.28318548202514648;      // float(2 pi)
const float kTwoPiLo = -1.7484555314695172e-07;  // 2 pi - float(2 pi)

// sin/cos are only accurate near [-pi, pi] on many GPUs; angles reach thousands of radians.
vec2 cos_sin(float theta) {
    const float k = round(theta * 0.159154943091895336);
    float r = fma(-k, kTwoPiHi, theta);
    r = fma(-k, kTwoPiLo, r);
    return vec2(cos(r), sin(r));
}

void main() {
    const uint idx = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (idx >= p.total_pairs) return;
    const uint pairs = p.head_dim / 2;
    const uint i = idx % pairs;
    const uint head = (idx / pairs) % p.n_heads;
    const uint token = idx / (pairs * p.n_heads);
    const uint xb = p.x_first + head * p.x_head_stride + token * p.x_token_stride;
    const uint ob = p.o_first + head * p.o_head_stride + token * p.o_token_stride;

    bool rotated;
    uint i0, i1;
    if (MODE == 0) {
        rotated = 2 * i < p.n_rot;
        i0 = 2 * i;
        i1 = 2 * i + 1;
    } else if (MODE == 3) {
        rotated = true;
        i0 = i;
        i1 = i + p.n_rot;
    } else {
        rotated = i < p.n_rot / 2;
        i0 = rotated ? i : 2 * i;
        i1 = rotated ? i + p.n_rot / 2 : 2 * i + 1;
    }
    const float a = x[xb + i0];
    const float b = x[xb + i1];
    if (!rotated) {
        o[ob + i0] = a;
        o[ob + i1] = b;
        return;
    }

    float pos;
    uint exponent = i;
    if (MODE <= 1) {
        pos = float(positions[p.pos_first + token]);
    } else {
        const uvec4 s = p.sections;
        const uint sector = i % (s.x + s.y + s.z + s.w);
        uint plane = 3, start = s.x + s.y + s.z;
        if (sector < s.x) {
            plane = 0;
            start = 0;
        } else if (sector < s.x + s.y) {
            plane = 1;
            start = s.x;
        } else if (sector < s.x + s.y + s.z) {
            plane = 2;
            start = s.x + s.y;
        }
        pos = float(positions[p.pos_first + plane * p.n_tokens + token]);
        if (MODE == 3) exponent = sector - start;
    }

    float theta = pos * exp2(-2.0 * float(exponent) / float(p.n_rot) * p.log2_base);
    if (HAS_FREQ_FACTORS != 0) theta /= freq_factors[p.ff_first + i];
    float mix = 0.0;
    if (p.ext_factor != 0.0) {
        const float y = (float(i) - p.corr_low) / max(0.001, p.corr_high - p.corr_low);
        mix = (1.0 - clamp(y, 0.0, 1.0)) * p.ext_factor;
    }
    theta *= p.freq_scale * (1.0 - mix) + mix;
    const vec2 cs = cos_sin(theta) * p.mscale;
    o[ob + i0] = a * cs.x - b * cs.y;
    o[ob + i1] = a * cs.y + b * cs.x;
}
