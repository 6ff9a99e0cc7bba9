// Tiled GEMM body shared by the convolutions that are lowered to a matrix product:
//   out[m, n] = bias[m] + sum_k W[m, k] * X(k, n)
// W is a contiguous weight with rows of K elements (one row per output channel m), as GGUF
// stores conv weights; X(k, n) is an im2col view of the input that the including shader
// defines as `float load_x(uint k, uint n)` (so no im2col buffer is ever materialised).
// out is contiguous [M, N]. The includer declares the push block `p` with fields M, N, K,
// woff, boff, ooff (element offsets from gpu::bind_*), and defines WEIGHT_F16 for f16 weights.
//
// Each workgroup computes a BM x BN tile; each invocation a TM x TN block of it, with its
// rows/columns strided by BM/TM and BN/TN so that neighbouring invocations touch neighbouring
// shared-memory words and output elements.

#extension GL_EXT_shader_16bit_storage : require

layout(local_size_x_id = 0) in;  // must equal (BM / TM) * (BN / TN)
layout(constant_id = 1) const uint BM = 32;
layout(constant_id = 2) const uint BN = 32;
layout(constant_id = 3) const uint BK = 8;
layout(constant_id = 4) const uint HAS_BIAS = 0;

#define TM 4
#define TN 4

#if defined(WEIGHT_F16)
layout(std430, binding = 0) readonly buffer Wbuf { float16_t w[]; };
#else
layout(std430, binding = 0) readonly buffer Wbuf { float w[]; };
#endif
layout(std430, binding = 1) readonly buffer Xbuf { float x_in[]; };
layout(std430, binding = 2) readonly buffer Bbuf { float bias[]; };
layout(std430, binding = 3) writeonly buffer Obuf { float o[]; };

shared float sw[BK * BM];  // sw[k * BM + m]
shared float sx[BK * BN];  // sx[k * BN + n]

float load_x(uint k, uint n);

void gemm_main() {
    const uint tid = gl_LocalInvocationID.x;
    const uint threads = gl_WorkGroupSize.x;
    const uint rows_step = BM / TM;
    const uint cols_step = BN / TN;
    const uint tm = tid % rows_step;
    const uint tn = tid / rows_step;
    const uint m0 = gl_WorkGroupID.x * BM;
    const uint n0 = gl_WorkGroupID.y * BN;

    float acc[TM][TN];
    for (uint i = 0; i < TM; ++i)
        for (uint j = 0; j < TN; ++j) acc[i][j] = 0.0;

    for (uint k0 = 0; k0 < p.K; k0 += BK) {
        // k fastest: consecutive invocations read consecutive weight elements of one row.
        for (uint e = tid; e < BK * BM; e += threads) {
            const uint k = e % BK, m = e / BK;
            const uint gk = k0 + k, gm = m0 + m;
            sw[k * BM + m] = (gk < p.K && gm < p.M) ? float(w[p.woff + gm * p.K + gk]) : 0.0;
        }
        for (uint e = tid; e < BK * BN; e += threads) {
            const uint k = e % BK, n = e / BK;
            const uint gk = k0 + k, gn = n0 + n;
            sx[k * BN + n] = (gk < p.K && gn < p.N) ? load_x(gk, gn) : 0.0;
        }
        barrier();
        for (uint k = 0; k < BK; ++k) {
            float a[TM], b[TN];
            for (uint i = 0; i < TM; ++i) a[i] = sw[k * BM + tm + i * rows_step];
            for (uint j = 0; j < TN; ++j) b[j] = sx[k * BN + tn + j * cols_step];
            for (uint i = 0; i < TM; ++i)
                for (uint j = 0; j < TN; ++j) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier();
    }

    for (uint j = 0; j < TN; ++j) {
        const uint n = n0 + tn + j * cols_step;
        if (n >= p.N) continue;
        for (uint i = 0; i < TM; ++i) {
            const uint m = m0 + tm + i * rows_step;
            if (m >= p.M) continue;
            const float b0 = HAS_BIAS != 0 ? bias[p.boff + m] : 0.0;
            o[p.ooff + n * p.M + m] = acc[i][j] + b0;
        }
    }
}
