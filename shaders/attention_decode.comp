#version 450
// Flash-decoding: one workgroup per (kv split, head, query) streams its keys in chunks of
// one key per invocation, with an online softmax. DIRECT writes the normalised output; SPLIT
// writes (max, sum, unnormalised accumulator) per split for attention_merge.comp.
#extension GL_GOOGLE_include_directive : require
#include "attention_common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint D = 128;  // head_dim, a multiple of 8
// K and V as RGBA32UI texels (bindings 12, 13; two f16vec4 each) on CPU devices, where a
// texel load is a gather and a storage load a loop over the lanes.
layout(constant_id = 2) const bool KV_TEXELS = false;
layout(binding = 12) uniform usamplerBuffer k_texels;
layout(binding = 13) uniform usamplerBuffer v_texels;

vec4 half4_of(uvec4 texel, uint i) {
    const uvec2 w = (i & 1u) == 0u ? texel.xy : texel.zw;
    return vec4(unpackHalf2x16(w.x), unpackHalf2x16(w.y));
}
vec4 ldk(uint i) { return KV_TEXELS ? half4_of(texelFetch(k_texels, int(i >> 1)), i) : vec4(k[i]); }
vec4 ldv(uint i) { return KV_TEXELS ? half4_of(texelFetch(v_texels, int(i >> 1)), i) : vec4(v[i]); }

#if defined(DIRECT)
layout(std430, binding = 3) writeonly buffer O { float o[]; };
#elif defined(SPLIT)
layout(std430, binding = 3) writeonly buffer O { float partials[]; };
#else
#error "attention_decode.comp needs DIRECT or SPLIT"
#endif

const uint T = gl_WorkGroupSize.x;
const uint COLS = D / 4;          // vec4 columns of a V row
const uint ROWS = T / COLS;       // V rows accumulated side by side

shared vec4 q_s[COLS];
shared float p_s[T];
shared float red[T];
shared vec4 acc_s[ROWS * COLS];

float reduce_max(float x) {
    const uint t = gl_LocalInvocationID.x;
    red[t] = x;
    barrier();
    for (uint s = T / 2; s > 0; s >>= 1) {
        if (t < s) red[t] = max(red[t], red[t + s]);
        barrier();
    }
    const float r = red[0];
    barrier();
    return r;
}

float reduce_sum(float x) {
    const uint t = gl_LocalInvocationID.x;
    red[t] = x;
    barrier();
    for (uint s = T / 2; s > 0; s >>= 1) {
        if (t < s) red[t] += red[t + s];
        barrier();
    }
    const float r = red[0];
    barrier();
    return r;
}

void main() {
    const uint t = gl_LocalInvocationID.x;
    const uint split = gl_WorkGroupID.x;
    const uint head = gl_WorkGroupID.y;
    const uint qi = gl_WorkGroupID.z;
    const uint kv_head = head / p.group;

    const uint qb = p.q_first + qi * p.q_token_stride + head * p.q_head_stride;
    for (uint c = t; c < COLS; c += T) {
        q_s[c] = vec4(q[qb + 4 * c], q[qb + 4 * c + 1], q[qb + 4 * c + 2], q[qb + 4 * c + 3]) * p.scale;
    }
    barrier();

    ivec2 range = visible_keys(p.q_pos0 + int(qi));
    const int split_lo = int(split * p.kv_per_split);
    range = ivec2(max(range.x, split_lo), min(range.y, split_lo + int(p.kv_per_split)));

    const uint kb = p.k_first + kv_head * p.k_head_stride;
    const uint vb = p.v_first + kv_head * p.v_head_stride;
    const uint lo_slot = uint(max(range.x, 0)) % p.ring;
    const uint col = t % COLS;
    const uint row = t / COLS;
    float m = -1.0 / 0.0;
    float l = 0.0;
    vec4 acc = vec4(0.0);

    for (int base = range.x; base < range.y; base += int(T)) {
        const int j = base + int(t);
        float s = -1.0 / 0.0;
        if (j < range.y) {
            const uint kr = kb + key_slot(lo_slot, range.x, j) * p.k_token_stride;
            float dot_qk = 0.0;
            for (uint c = 0; c < COLS; ++c) dot_qk += dot(q_s[c], ldk(kr + c));
            s = cap_logit(dot_qk);
        }
        // The chunk holds at least one visible key (base < range.y), so m_new is finite.
        const float m_new = max(m, reduce_max(s));
        const float pj = j < range.y ? exp(s - m_new) : 0.0;
        const float alpha = exp(m - m_new);  // 0 while m is -inf
        p_s[t] = pj;
        l = l * alpha + reduce_sum(pj);  // reduce_sum's barriers publish p_s
        m = m_new;
        acc *= alpha;
        if (row < ROWS) {
            const int n = min(int(T), range.y - base);
            for (int r = int(row); r < n; r += int(ROWS)) {
                acc += p_s[r] * ldv(vb + key_slot(lo_slot, range.x, base + r) * p.v_token_stride + col);
            }
        }
        barrier();  // p_s is rewritten by the next chunk
    }

    if (row < ROWS) acc_s[row * COLS + col] = acc;
    barrier();
#if defined(DIRECT)
    const uint ob = p.o_first + head * p.o_head_stride + qi * p.o_token_stride;
    const float inv_l = l > 0.0 ? 1.0 / l : 0.0;  // no visible key: output 0
    for (uint c = t; c < COLS; c += T) {
        vec4 total = vec4(0.0);
        for (uint r = 0; r < ROWS; ++r) total += acc_s[r * COLS + c];
        total *= inv_l;
        o[ob + 4 * c] = total.x;
        o[ob + 4 * c + 1] = total.y;
        o[ob + 4 * c + 2] = total.z;
        o[ob + 4 * c + 3] = total.w;
    }
#else
    const uint pb = p.o_first + ((qi * p.n_heads + head) * gl_NumWorkGroups.x + split) * (D + 2);
    if (t == 0) {
        partials[pb] = m;
        partials[pb + 1] = l;
    }
    for (uint c = t; c < COLS; c += T) {
        vec4 total = vec4(0.0);
        for (uint r = 0; r < ROWS; ++r) total += acc_s[r * COLS + c];
        partials[pb + 2 + 4 * c] = total.x;
        partials[pb + 3 + 4 * c] = total.y;
        partials[pb + 4 + 4 * c] = total.z;
        partials[pb + 5 + 4 * c] = total.w;
    }
#endif
}
