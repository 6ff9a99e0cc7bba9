#version 450
// out[m, n] = sum_k W[k, m] * x[k, n] for many columns (prefill, encoders): compute-bound,
// so each workgroup owns a BM x BN output tile, stages BK-deep slices of dequantized weights
// and of activations in shared memory (each weight is dequantized once per tile, not once
// per use), and every thread accumulates a TM x TN register block from them.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define W_BINDING 0
#define DQ_WIDE_LOADS 1
#include "dequant.glsl"

layout(local_size_x_id = 0) in;  // (BM / TM) * (BN / TN)
layout(constant_id = 1) const uint BM = 64;
layout(constant_id = 2) const uint BN = 64;
layout(constant_id = 3) const uint BK = 32;  // a multiple of 32 (CHUNK of every type)
layout(constant_id = 4) const uint TM = 4;
layout(constant_id = 5) const uint TN = 4;
layout(constant_id = 6) const bool WIDE = false;  // rows aligned for dequant_chunk.glsl
#include "dequant_chunk.glsl"

layout(std430, binding = 1) readonly buffer X {
    float x[];
};
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

// +1 pads the rows so that the column-wise stores of the loads spread over banks.
const uint WS = BM + 1;
const uint XS = BN + 1;
shared float wtile[BK * WS];
shared float xtile[BK * XS];

void main() {
    const uint tid = gl_LocalInvocationID.x;
    const uint tile_m = gl_WorkGroupID.x * BM;
    const uint tile_n = gl_WorkGroupID.y * BN;
    const uint threads_m = BM / TM;
    const uint tx = tid % threads_m, ty = tid / threads_m;

    float acc[TM][TN];
    for (uint i = 0; i < TM; ++i)
        for (uint j = 0; j < TN; ++j) acc[i][j] = 0.0;

    for (uint k0 = 0; k0 < p.K; k0 += BK) {
        // Weights: BM rows x (BK / CHUNK) chunks, each decoded by one thread with wide loads
        // (a whole legacy block or K-quant sub-block at BK = 32); consecutive threads take
        // consecutive chunks of a row.
        const uint KC = BK / CHUNK;
        for (uint g = tid; g < BM * KC; g += gl_WorkGroupSize.x) {
            const uint r = g / KC, kc = g % KC;
            const uint row = tile_m + r, k = k0 + kc * CHUNK;
            vec4 w[CG];
            if (row < p.M && k + CHUNK <= p.K) {
                decode_chunk(p.w_first + row * p.w_stride, k, p.K, w);
            } else {
                for (uint t = 0; t < CG; ++t)
                    w[t] = row < p.M ? dequant_group(p.w_first + row * p.w_stride, k + 4 * t, p.K)
                                     : vec4(0.0);
            }
            for (uint t = 0; t < CHUNK; ++t) wtile[(kc * CHUNK + t) * WS + r] = w[t / 4][t % 4];
        }
        // Activations: BN columns x BK values; consecutive threads read consecutive k.
        for (uint e = tid; e < BN * BK; e += gl_WorkGroupSize.x) {
            const uint c = e / BK, kk = e % BK;
            const uint col = tile_n + c, k = k0 + kk;
            xtile[kk * XS + c] = (col < p.N && k < p.K) ? x[p.x_first + col * p.x_stride + k] : 0.0;
        }
        barrier();
        for (uint kk = 0; kk < BK; ++kk) {
            float a[TM], b[TN];
            for (uint i = 0; i < TM; ++i) a[i] = wtile[kk * WS + tx + i * threads_m];
            for (uint j = 0; j < TN; ++j) b[j] = xtile[kk * XS + ty + j * (BN / TN)];
            for (uint i = 0; i < TM; ++i)
                for (uint j = 0; j < TN; ++j) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier();
    }

    for (uint j = 0; j < TN; ++j) {
        const uint col = tile_n + ty + j * (BN / TN);
        if (col >= p.N) continue;
        for (uint i = 0; i < TM; ++i) {
            const uint row = tile_m + tx + i * threads_m;
            if (row < p.M) d[p.out_first + col * p.out_stride + p.m0 + row] = acc[i][j];
        }
    }
}
