#version 450
// Flash attention for many queries: one workgroup per (tile of BR queries, head) walks the
// visible keys in tiles of BC, keeping Q, one K/V tile and the BR x BC scores in shared memory
// and the output rows in registers, with an online softmax (no n_q x n_kv scores buffer).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "attention_common.glsl"

// COMPACT (CPU drivers such as lavapipe): keep the inner loops rolled; unrolling them over the
// spec-constant tile sizes costs tens of seconds of LLVM compile time there and gains nothing.
#if defined(COMPACT)
#define INNER_LOOP [[dont_unroll]]
#else
#define INNER_LOOP
#endif

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint D = 128;  // head_dim; BR * D must divide by the group size
layout(constant_id = 2) const uint BR = 16;  // queries per workgroup
layout(constant_id = 3) const uint BC = 32;  // keys per tile

layout(std430, binding = 3) writeonly buffer O { float o[]; };

const uint T = gl_WorkGroupSize.x;
const uint COLS = D / 4;
const uint PITCH = D + 1;  // padded rows: column reads of K by neighbouring threads hit distinct banks
const uint NACC = BR * D / T;

shared float q_s[BR * PITCH];
shared float kv_s[BC * PITCH];
shared float s_s[BR * BC];
shared float m_s[BR];
shared float l_s[BR];
shared float alpha_s[BR];

void main() {
    const uint t = gl_LocalInvocationID.x;
    const uint q_tile = gl_WorkGroupID.x;
    const uint head = gl_WorkGroupID.y;
    const uint kv_head = head / p.group;
    const uint q0 = q_tile * BR;
    const uint rows = min(BR, p.n_q - q0);

    for (uint e = t; e < BR * D; e += T) {
        const uint r = e / D, d = e % D;
        q_s[r * PITCH + d] =
            r < rows ? q[p.q_first + (q0 + r) * p.q_token_stride + head * p.q_head_stride + d] * p.scale
                     : 0.0;
    }
    if (t < BR) {
        m_s[t] = -1.0 / 0.0;
        l_s[t] = 0.0;
    }
    float acc[NACC];
    for (uint a = 0; a < NACC; ++a) acc[a] = 0.0;

    // Keys any row of the tile sees; rows narrower than that are masked per score.
    const ivec2 first_range = visible_keys(p.q_pos0 + int(q0));
    const ivec2 last_range = visible_keys(p.q_pos0 + int(q0 + rows - 1));
    const int lo = first_range.x;
    const int hi = max(first_range.y, last_range.y);
    const uint kb = p.k_first + kv_head * p.k_head_stride;
    const uint vb = p.v_first + kv_head * p.v_head_stride;
    const uint lo_slot = uint(lo) % p.ring;
    barrier();

    for (int base = lo; base < hi; base += int(BC)) {
        for (uint e = t; e < BC * COLS; e += T) {
            const uint c = e / COLS, d4 = e % COLS;
            const int j = base + int(c);
            const vec4 kv = j < hi ? vec4(k[kb + key_slot(lo_slot, lo, j) * p.k_token_stride + d4]) : vec4(0.0);
            kv_s[c * PITCH + 4 * d4] = kv.x;
            kv_s[c * PITCH + 4 * d4 + 1] = kv.y;
            kv_s[c * PITCH + 4 * d4 + 2] = kv.z;
            kv_s[c * PITCH + 4 * d4 + 3] = kv.w;
        }
        barrier();

        for (uint e = t; e < BR * BC; e += T) {
            const uint r = e / BC, c = e % BC;
            const int j = base + int(c);
            const ivec2 range = visible_keys(p.q_pos0 + int(q0 + r));
            float s = -1.0 / 0.0;
            if (r < rows && j >= range.x && j < range.y) {
                float dot_qk = 0.0;
                for (uint d = 0; d < D; ++d) dot_qk += q_s[r * PITCH + d] * kv_s[c * PITCH + d];
                s = cap_logit(dot_qk);
            }
            s_s[e] = s;
        }
        barrier();

        // Load V over K while one invocation per row turns its scores into probabilities.
        for (uint e = t; e < BC * COLS; e += T) {
            const uint c = e / COLS, d4 = e % COLS;
            const int j = base + int(c);
            const vec4 kv = j < hi ? vec4(v[vb + key_slot(lo_slot, lo, j) * p.v_token_stride + d4]) : vec4(0.0);
            kv_s[c * PITCH + 4 * d4] = kv.x;
            kv_s[c * PITCH + 4 * d4 + 1] = kv.y;
            kv_s[c * PITCH + 4 * d4 + 2] = kv.z;
            kv_s[c * PITCH + 4 * d4 + 3] = kv.w;
        }
        for (uint r = t; r < BR; r += T) {
            const float m_old = m_s[r];
            float m_new = m_old;
            INNER_LOOP for (uint c = 0; c < BC; ++c) m_new = max(m_new, s_s[r * BC + c]);
            float alpha = 1.0, sum = 0.0;
            if (m_new > -1.0 / 0.0) {  // else the row has seen no key yet: nothing to do
                alpha = exp(m_old - m_new);
                INNER_LOOP for (uint c = 0; c < BC; ++c) {
                    const float s = s_s[r * BC + c];
                    const float pr = s > -1.0 / 0.0 ? exp(s - m_new) : 0.0;
                    s_s[r * BC + c] = pr;
                    sum += pr;
                }
            } else {
                for (uint c = 0; c < BC; ++c) s_s[r * BC + c] = 0.0;
            }
            m_s[r] = m_new;
            l_s[r] = l_s[r] * alpha + sum;
            alpha_s[r] = alpha;
        }
        barrier();

        INNER_LOOP for (uint a = 0; a < NACC; ++a) {
            const uint e = t + a * T;
            const uint r = e / D, d = e % D;
            float sum = 0.0;
            for (uint c = 0; c < BC; ++c) sum += s_s[r * BC + c] * kv_s[c * PITCH + d];
            acc[a] = acc[a] * alpha_s[r] + sum;
        }
        barrier();  // kv_s and s_s are rewritten by the next tile
    }

    for (uint a = 0; a < NACC; ++a) {
        const uint e = t + a * T;
        const uint r = e / D, d = e % D;
        if (r < rows) {
            const float l = l_s[r];
            o[p.o_first + head * p.o_head_stride + (q0 + r) * p.o_token_stride + d] =
                l > 0.0 ? acc[a] / l : 0.0;  // no visible key: output 0
        }
    }
}
