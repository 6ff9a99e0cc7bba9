#version 450
// out[m, n] = sum_k W[k, m] * x[k, n] for many columns (prefill, encoders): compute-bound,
// so each workgroup owns a BM x BN output tile, stages BK-deep slices of dequantized weights
// and of activations in shared memory (each weight is dequantized once per tile, not once
// per use), and every thread accumulates a TM x TN register block from them.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

#define W_BINDING 0
#include "dequant.glsl"

layout(local_size_x_id = 0) in;  // (BM / TM) * (BN / TN)
layout(constant_id = 1) const uint BM = 64;
layout(constant_id = 2) const uint BN = 64;
layout(constant_id = 3) const uint BK = 32;  // multiple of 4, divides 32
layout(constant_id = 4) const uint TM = 4;
layout(constant_id = 5) const uint TN = 4;

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };

layout(push_constant) uniform Push {
    uint M;          // rows of this chunk
    uint K;
    uint w_first;
    uint w_stride;
    uint x_first;
    uint x_stride;
    uint out_first;
    uint out_stride;
    uint m0;
    uint N;
} p;

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

    const uint KG = BK / 4;  // groups of 4 per tile row
    for (uint k0 = 0; k0 < p.K; k0 += BK) {
        // Weights: BM rows x KG groups; consecutive threads take consecutive groups of a row.
        for (uint g = tid; g < BM * KG; g += gl_WorkGroupSize.x) {
            const uint r = g / KG, kg = g % KG;
            const uint row = tile_m + r;
            vec4 w = vec4(0.0);
            if (row < p.M) w = dequant_group(p.w_first + row * p.w_stride, k0 + 4 * kg, p.K);
            for (uint t = 0; t < 4; ++t) wtile[(4 * kg + t) * WS + r] = w[t];
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
