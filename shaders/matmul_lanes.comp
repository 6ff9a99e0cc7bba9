#version 450
// out[m, n] = sum_k W[k, m] * x[k, n] for many columns, tuned for CPU Vulkan devices
// (lavapipe/llvmpipe), which run a workgroup of 8 invocations as one AVX2 vector.
//
// What llvmpipe (Mesa 22) makes expensive: every storage or shared-memory load instruction is
// a loop over the 8 lanes with a branch per lane (whether or not the address is the same for
// all of them); subgroup broadcasts loop too; both sides of every `if` run under a lane mask;
// every barrier switches between the workgroup's subgroups. What it makes cheap: vector
// arithmetic on values held in registers (or spilled to the stack).
//
// So the workgroup is 8 invocations with no shared memory and no barrier. Lane l owns rows
// tile_m + l + 8 i (i < TM = 4 RG) and all BN columns of the tile; the TM x BN sums stay in
// registers. Per KS = 32 values of k it decodes its TM rows straight from the weight buffer
// (each weight once per tile, with dequant_chunk.glsl's wide loads) and reads each column's 32
// activations as 8 vec4 loads at an address shared by all lanes; each activation then feeds
// TM multiply-adds. Loads per step: 8 BN for x + a few per row for w, against 32 TM BN
// multiply-adds. The loop body has no branch: the host sends K that are multiples of KS.
// A texel-buffer load is a gather without the per-lane branch, so where the host binds x and
// plain-typed weights as texels (X_TEXELS, W_TEXELS) those loads cost several times less
// (prism-bench: 3-7x the product's speed on lavapipe).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#include "common.glsl"

#define W_BINDING 0
#define DQ_WIDE_LOADS 1
layout(constant_id = 6) const bool W_TEXELS = false;  // weights bound as texels
#define DQ_TEXELS W_TEXELS
#include "dequant.glsl"

layout(local_size_x_id = 0) in;                    // 8 (LANES)
layout(constant_id = 1) const uint BN = 16;        // columns per workgroup, at most 16
layout(constant_id = 2) const bool WIDE = false;   // rows aligned for dequant_chunk.glsl
layout(constant_id = 3) const bool X_VEC = false;  // x_first, x_stride multiples of 4
layout(constant_id = 4) const uint RG = 1;         // groups of 4 rows per lane: 1 or 2
layout(constant_id = 5) const bool X_TEXELS = false;  // x bound as RGBA32F texels
#include "dequant_chunk.glsl"

layout(std430, binding = 1) readonly buffer X {
    float x[];
};
layout(std430, binding = 1) readonly buffer XV {
    vec4 x4[];
};
layout(binding = 8) uniform samplerBuffer x_texels;
layout(std430, binding = 2) writeonly buffer D {
    float d[];
};

layout(push_constant) uniform Push {
    uint M;  // rows of this chunk
    uint K;
    uint w_first;
    uint w_stride;
    uint x_first;
    uint x_stride;
    uint out_first;
    uint out_stride;
    uint m0;
    uint N;
}
p;

const uint LANES = 8;
const uint TM = 4 * RG;  // rows per lane: lane l owns rows l + 8 i of the tile
const uint KS = 32;      // k per step, a multiple of every CHUNK

// Decoded weights of the step: rw<i>[g] holds row i's k = 4 g .. 4 g + 3.
vec4 rw0[KS / 4], rw1[KS / 4], rw2[KS / 4], rw3[KS / 4];
vec4 rw4[KS / 4], rw5[KS / 4], rw6[KS / 4], rw7[KS / 4];

// Rows past M read the last valid one (no divergent branch in the hot loop) and are dropped
// at the store.
uint row_base(uint i) {
    const uint row = min(gl_WorkGroupID.x * (LANES * TM) + gl_LocalInvocationID.x + LANES * i,
                         p.M - 1);
    return p.w_first + row * p.w_stride;
}

#define DECODE_ROW(i, rw)                                                                   \
    if (i < TM) {                                                                           \
        const uint base = row_base(i);                                                      \
        [[unroll]] for (uint c = 0; c < KS / CHUNK; ++c) {                                  \
            vec4 g[CG];                                                                     \
            decode_chunk(base, k0 + c * CHUNK, p.K, g);                                     \
            [[unroll]] for (uint t = 0; t < CG; ++t) rw[c * CG + t] = g[t];                 \
        }                                                                                   \
    }

// The accumulators and the per-step weight matrices are named variables, not arrays:
// lavapipe's compiler passes slow down sharply (seconds per pipeline) on thousands of
// array accesses, and a dynamic index would move an array to memory. A##g[c] (rows 0-3)
// and B##g[c] (rows 4-7) hold the rows' weights at k = 4 g + c.
#define STEP(n, g)                                                                          \
    {                                                                                       \
        const vec4 xb = X_TEXELS ? texelFetch(x_texels, int(xk / 4 + g))                   \
                      : X_VEC    ? x4[xk / 4 + g]                                           \
                              : vec4(x[xk + 4 * g], x[xk + 4 * g + 1], x[xk + 4 * g + 2],   \
                                     x[xk + 4 * g + 3]);                                    \
        acc##n = fma(A##g[0], vec4(xb.x), acc##n);                                          \
        acc##n = fma(A##g[1], vec4(xb.y), acc##n);                                          \
        acc##n = fma(A##g[2], vec4(xb.z), acc##n);                                          \
        acc##n = fma(A##g[3], vec4(xb.w), acc##n);                                          \
        if (RG > 1) {                                                                       \
            bcc##n = fma(B##g[0], vec4(xb.x), bcc##n);                                      \
            bcc##n = fma(B##g[1], vec4(xb.y), bcc##n);                                      \
            bcc##n = fma(B##g[2], vec4(xb.z), bcc##n);                                      \
            bcc##n = fma(B##g[3], vec4(xb.w), bcc##n);                                      \
        }                                                                                   \
    }
// The activations are the same for every lane (uniform loads): each is used by TM rows.
#define COLUMN(n)                                                                           \
    if (n < BN) {                                                                           \
        const uint xk = p.x_first + min(gl_WorkGroupID.y * BN + n, p.N - 1) * p.x_stride + k0; \
        STEP(n, 0) STEP(n, 1) STEP(n, 2) STEP(n, 3) STEP(n, 4) STEP(n, 5) STEP(n, 6)        \
        STEP(n, 7)                                                                          \
    }
#define TMAT(g)                                                                             \
    const mat4 A##g = transpose(mat4(rw0[g], rw1[g], rw2[g], rw3[g]));                      \
    const mat4 B##g = RG > 1 ? transpose(mat4(rw4[g], rw5[g], rw6[g], rw7[g])) : mat4(0.0);
#define STORE(n)                                                                            \
    if (n < BN && gl_WorkGroupID.y * BN + n < p.N) {                                        \
        const uint col = gl_WorkGroupID.y * BN + n;                                         \
        [[unroll]] for (uint i = 0; i < TM; ++i) {                                          \
            const uint row = gl_WorkGroupID.x * (LANES * TM) + gl_LocalInvocationID.x + LANES * i; \
            if (row < p.M)                                                                  \
                d[p.out_first + col * p.out_stride + p.m0 + row] = i < 4 ? acc##n[i] : bcc##n[i - 4]; \
        }                                                                                   \
    }
#define ZERO(n) vec4 acc##n = vec4(0.0), bcc##n = vec4(0.0);

void main() {
    ZERO(0) ZERO(1) ZERO(2) ZERO(3) ZERO(4) ZERO(5) ZERO(6) ZERO(7)
    ZERO(8) ZERO(9) ZERO(10) ZERO(11) ZERO(12) ZERO(13) ZERO(14) ZERO(15)

    // No branch in the loop: llvmpipe runs both sides of every if (under a lane mask), so
    // the host sends only K that are multiples of KS here (every real model's are).
    for (uint k0 = 0; k0 < p.K; k0 += KS) {
        DECODE_ROW(0, rw0) DECODE_ROW(1, rw1) DECODE_ROW(2, rw2) DECODE_ROW(3, rw3)
        DECODE_ROW(4, rw4) DECODE_ROW(5, rw5) DECODE_ROW(6, rw6) DECODE_ROW(7, rw7)
        TMAT(0) TMAT(1) TMAT(2) TMAT(3) TMAT(4) TMAT(5) TMAT(6) TMAT(7)
        COLUMN(0) COLUMN(1) COLUMN(2) COLUMN(3) COLUMN(4) COLUMN(5) COLUMN(6) COLUMN(7)
        COLUMN(8) COLUMN(9) COLUMN(10) COLUMN(11) COLUMN(12) COLUMN(13) COLUMN(14) COLUMN(15)
    }

    STORE(0) STORE(1) STORE(2) STORE(3) STORE(4) STORE(5) STORE(6) STORE(7)
    STORE(8) STORE(9) STORE(10) STORE(11) STORE(12) STORE(13) STORE(14) STORE(15)
}
