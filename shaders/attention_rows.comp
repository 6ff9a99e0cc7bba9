#version 450
// Flash attention for CPU drivers (lavapipe/llvmpipe). llvmpipe runs a subgroup's 8
// invocations as the lanes of one AVX2 vector, but every shared or storage load is a loop over
// the lanes (a branch and a scalar load each, up to 4 components at a time), so what counts is
// FMAs per vec4 load. Every invocation keeps R query rows (scaled Q and output accumulators) in
// registers, and each K or V vec4 read from shared memory feeds R vec4 FMAs. The workgroup (one
// subgroup, so barriers are cheap) stages a tile of BC keys and values as f32 once; per tile,
// pass 1 computes the scores, parks them in shared memory (a dynamically indexed local array
// is slower still) and finds the tile max; one rescale per row; pass 2 takes one exp per score
// and accumulates P V.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "attention_common.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint D = 64;   // head_dim, a multiple of 8
layout(constant_id = 2) const uint BC = 32;  // keys per shared tile
layout(constant_id = 3) const uint R = 4;    // query rows per invocation

layout(std430, binding = 3) writeonly buffer O { float o[]; };

const uint T = gl_WorkGroupSize.x;
const uint BR = T * R;  // query rows per workgroup; invocation t owns rows t, t + T, ...
const uint D4 = D / 4;
const uint R4 = (R + 3) / 4;
const float NEG_INF = -1.0 / 0.0;

shared vec4 k_s[BC * D4];
shared vec4 v_s[BC * D4];
shared vec4 s_s[BC * T * R4];  // [key][invocation][row / 4]: scores, one tile

void main() {
    const uint t = gl_LocalInvocationID.x;
    const uint head = gl_WorkGroupID.y;
    const uint kv_head = head / p.group;
    const uint q0 = gl_WorkGroupID.x * BR;
    const uint rows = min(BR, p.n_q - q0);

    // Registers here, or LLVM's stack spills of them: whole-vector loads, unlike shared memory.
    vec4 qr[R][D4];
    vec4 acc[R][D4];
    ivec2 mine[R];
    float m[R];  // running max of each row's scores
    float l[R];  // running sum of exp(score - m)
    [[unroll]] for (uint r = 0; r < R; ++r) {
        // Rows past the last query shadow it (valid reads, same key range) and store nothing.
        const uint row = q0 + min(t + r * T, rows - 1);
        const uint qb = p.q_first + row * p.q_token_stride + head * p.q_head_stride;
        [[unroll]] for (uint i = 0; i < D4; ++i) {
            qr[r][i] = vec4(q[qb + 4 * i], q[qb + 4 * i + 1], q[qb + 4 * i + 2],
                            q[qb + 4 * i + 3]) * p.scale;
            acc[r][i] = vec4(0.0);
        }
        mine[r] = visible_keys(p.q_pos0 + int(row));
        m[r] = NEG_INF;
        l[r] = 0.0;
    }

    // The workgroup walks the keys any of its rows sees (ranges start and end no earlier for
    // later queries); each row masks the rest of a tile by its own range.
    const int lo = visible_keys(p.q_pos0 + int(q0)).x;
    const int hi = visible_keys(p.q_pos0 + int(q0 + rows - 1)).y;
    const uint kb = p.k_first + kv_head * p.k_head_stride;
    const uint vb = p.v_first + kv_head * p.v_head_stride;
    const uint lo_slot = uint(lo) % p.ring;

    for (int base = lo; base < hi; base += int(BC)) {
        const int n = min(int(BC), hi - base);
        for (uint e = t; e < uint(n) * D4; e += T) {
            const uint j = key_slot(lo_slot, lo, base + int(e / D4)), d4 = e % D4;
            k_s[e] = vec4(k[kb + j * p.k_token_stride + d4]);
            v_s[e] = vec4(v[vb + j * p.v_token_stride + d4]);
        }
        barrier();

        // Pass 1: this invocation's R scores per key, parked in shared memory as vec4s (a
        // dynamically indexed local array is far slower on llvmpipe), and the tile's max.
        float m_tile[R];
        [[unroll]] for (uint r = 0; r < R; ++r) m_tile[r] = NEG_INF;
        [[dont_unroll]] for (int c = 0; c < n; ++c) {
            vec4 d[R];
            [[unroll]] for (uint r = 0; r < R; ++r) d[r] = vec4(0.0);
            [[unroll]] for (uint i = 0; i < D4; ++i) {
                const vec4 kv = k_s[uint(c) * D4 + i];
                [[unroll]] for (uint r = 0; r < R; ++r) d[r] = fma(qr[r][i], kv, d[r]);
            }
            const int j = base + c;
            float sc[R];
            [[unroll]] for (uint r = 0; r < R; ++r) {
                sc[r] = j >= mine[r].x && j < mine[r].y
                            ? cap_logit(d[r].x + d[r].y + d[r].z + d[r].w)
                            : NEG_INF;
                m_tile[r] = max(m_tile[r], sc[r]);
            }
            [[unroll]] for (uint r4 = 0; r4 < R4; ++r4) {
                vec4 s4 = vec4(NEG_INF);
                [[unroll]] for (uint u = 0; u < 4 && 4 * r4 + u < R; ++u) s4[u] = sc[4 * r4 + u];
                s_s[(uint(c) * T + t) * R4 + r4] = s4;
            }
        }

        // Online softmax, once per tile. A row that has seen no key yet keeps m = -inf;
        // shifting by 0 then keeps exp finite, and masked scores are zeroed explicitly (a CPU
        // exp may not reach exactly 0).
        float shift[R];
        [[unroll]] for (uint r = 0; r < R; ++r) {
            const float m_new = max(m[r], m_tile[r]);
            shift[r] = m_new > NEG_INF ? m_new : 0.0;
            const float alpha = m[r] > NEG_INF ? exp(m[r] - shift[r]) : 0.0;
            l[r] *= alpha;
            [[unroll]] for (uint i = 0; i < D4; ++i) acc[r][i] *= alpha;
            m[r] = m_new;
        }

        // Pass 2: one exp per score, then acc += p * V.
        [[dont_unroll]] for (int c = 0; c < n; ++c) {
            float pr[R];
            [[unroll]] for (uint r4 = 0; r4 < R4; ++r4) {
                const vec4 s4 = s_s[(uint(c) * T + t) * R4 + r4];
                [[unroll]] for (uint u = 0; u < 4 && 4 * r4 + u < R; ++u) {
                    const uint r = 4 * r4 + u;
                    pr[r] = s4[u] > NEG_INF ? exp(s4[u] - shift[r]) : 0.0;
                    l[r] += pr[r];
                }
            }
            [[unroll]] for (uint i = 0; i < D4; ++i) {
                const vec4 vv = v_s[uint(c) * D4 + i];
                [[unroll]] for (uint r = 0; r < R; ++r) acc[r][i] = fma(vec4(pr[r]), vv, acc[r][i]);
            }
        }
        barrier();  // the next tile overwrites k_s, v_s and s_s
    }

    [[unroll]] for (uint r = 0; r < R; ++r) {
        if (t + r * T < rows) {
            const uint row = q0 + t + r * T;
            const float inv = l[r] > 0.0 ? 1.0 / l[r] : 0.0;  // no visible key: output 0
            const uint ob = p.o_first + head * p.o_head_stride + row * p.o_token_stride;
            [[unroll]] for (uint i = 0; i < D4; ++i) {
                const vec4 res = acc[r][i] * inv;
                o[ob + 4 * i] = res.x;
                o[ob + 4 * i + 1] = res.y;
                o[ob + 4 * i + 2] = res.z;
                o[ob + 4 * i + 3] = res.w;
            }
        }
    }
}
