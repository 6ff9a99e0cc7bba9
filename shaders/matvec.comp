#version 450
// out[m, n] = sum_k W[k, m] * x[k, n] for a few columns n (decode): memory-bound, so each
// workgroup reads ROWS weight rows exactly once and reduces across the workgroup.
// Each thread takes CHUNK consecutive elements per step (a whole 32-element block for
// legacy quants, a 32-element sub-block for K-quants, 8 values for plain types) so that it
// issues few, wide loads: lavapipe pays per load instruction and per loop trip, and on GPUs
// neighbouring threads still read neighbouring bytes. WIDE (spec constant, set by the host
// when rows and x are aligned) enables the 32/128-bit views; otherwise the 16-bit path.
// SUBGROUP_ADD reduces with subgroupAdd first, else shared memory only.
#extension GL_GOOGLE_include_directive : require
#if defined(SUBGROUP_ADD)
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "common.glsl"

#define W_BINDING 0
#define DQ_WIDE_LOADS 1
#include "dequant.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint ROWS = 1;       // weight rows per workgroup
layout(constant_id = 2) const uint NCOLS = 1;      // columns of x (N)
layout(constant_id = 3) const bool WIDE = false;   // rows 16-byte (plain) / 4-byte (quant) aligned
layout(constant_id = 4) const bool X_VEC = false;  // x_first, x_stride multiples of 4

layout(std430, binding = 1) readonly buffer X {
    float x[];
};
layout(std430, binding = 1) readonly buffer XV {
    vec4 x4[];
};
layout(std430, binding = 2) writeonly buffer D {
    float d[];
};

layout(push_constant) uniform Push {
    uint M;  // rows of this chunk
    uint K;
    uint w_first;   // unit offset of the chunk's first row
    uint w_stride;  // units per row
    uint x_first;
    uint x_stride;  // floats per column of x
    uint out_first;
    uint out_stride;  // floats per column of out
    uint m0;          // row of out that the chunk's first row writes
}
p;

#if defined(WTYPE_PLAIN)
const uint CHUNK = 8;
#else
const uint CHUNK = 32;  // divides every block size
#endif
const uint CG = CHUNK / 4;  // groups of 4 per chunk

shared float partial[ROWS * NCOLS * gl_WorkGroupSize.x];

// Weights k..k+CHUNK-1 of the row at unit `row` (k + CHUNK <= K).
void decode_chunk(uint row, uint k, out vec4 w[CG]) {
#if defined(WTYPE_F32)
    if (WIDE) {
        for (uint g = 0; g < CG; ++g) w[g] = wf4[(row + k) / 4 + g];
        return;
    }
#elif defined(WTYPE_F16) || defined(WTYPE_BF16)
    if (WIDE) {
        const uvec4 q = w128[(row + k) / 8];
#if defined(WTYPE_F16)
        w[0] = vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y));
        w[1] = vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w));
#else
        w[0] = uintBitsToFloat(uvec4(q.x << 16, q.x & 0xFFFF0000u, q.y << 16, q.y & 0xFFFF0000u));
        w[1] = uintBitsToFloat(uvec4(q.z << 16, q.z & 0xFFFF0000u, q.w << 16, q.w & 0xFFFF0000u));
#endif
        return;
    }
#elif defined(WTYPE_LEGACY)
    if (WIDE) {
        load_block_regs(row + (k / BLOCK_ELEMS) * BLOCK_UNITS);
        for (uint g = 0; g < CG; ++g) w[g] = dequant_block4_regs(0, g);
        return;
    }
#elif defined(WTYPE_Q4_K)
    if (WIDE) {
        // Sub-block j = 2c + h: nibble h of qs[32c .. 32c + 31]; scale and min decoded once.
        const uint blk = row + (k / 256) * BLOCK_UNITS, j = (k % 256) / 32;
        const uint b = blk >> 1;  // 72 units per block and aligned rows: blk is even
        const uint hdr[4] = uint[4](w32[b], w32[b + 1], w32[b + 2], w32[b + 3]);
        // Scale byte i (0..11) is byte 4 + i of the block.
#define SCB(i) ((hdr[((i) + 4) >> 2] >> ((((i) + 4) & 3u) * 8)) & 0xFFu)
        uint sc, mn;
        if (j < 4) {
            sc = SCB(j) & 63u;
            mn = SCB(j + 4) & 63u;
        } else {
            sc = (SCB(j + 4) & 0xFu) | ((SCB(j - 4) >> 6) << 4);
            mn = (SCB(j + 4) >> 4) | ((SCB(j) >> 6) << 4);
        }
#undef SCB
        const vec2 dm = unpackHalf2x16(hdr[0]);
        const float d1 = dm.x * float(sc), m1 = dm.y * float(mn);
        const uint qb = b + 4 + 8 * (j >> 1), sh = 4 * (j & 1u);
        for (uint g = 0; g < CG; ++g) w[g] = d1 * bytes4((w32[qb + g] >> sh) & 0x0F0F0F0Fu) - m1;
        return;
    }
#elif defined(WTYPE_Q6_K)
    if (WIDE) {
        // Chunk s = 4n + qq of the block: nibble (qq >> 1) of ql[64n + 32(qq & 1) + l], bits
        // 2qq of qh[32n + l], int8 scale sc[8n + 2qq + (l >> 4)]. Blocks are 105 units, so
        // every other one starts mid-word: read 9 words and shift when it does.
        const uint blk = row + (k / 256) * BLOCK_UNITS, s = (k % 256) / 32;
        const uint n = s >> 2, qq = s & 3u;
        const uint odd = (blk & 1u) * 16u;
        const uint lb = (blk + 32 * n + 16 * (qq & 1u)) >> 1, hb = (blk + 64 + 16 * n) >> 1;
        uint lw[9], hw[9];
        for (uint t = 0; t < 9; ++t) {
            lw[t] = w32[lb + t];
            hw[t] = w32[hb + t];
        }
        const uint scw = uint(w16[blk + 96 + 4 * n + qq]);
        const float d = ld_half(blk + 104);
        const float d0 = d * float(bitfieldExtract(int(scw), 0, 8));
        const float d1 = d * float(bitfieldExtract(int(scw), 8, 8));
        const uint lsh = 4 * (qq >> 1), hsh = 2 * qq;
        for (uint g = 0; g < CG; ++g) {
            const uint l32 = odd != 0u ? (lw[g] >> 16) | (lw[g + 1] << 16) : lw[g];
            const uint h32 = odd != 0u ? (hw[g] >> 16) | (hw[g + 1] << 16) : hw[g];
            const uint q = ((l32 >> lsh) & 0x0F0F0F0Fu) | (((h32 >> hsh) & 0x03030303u) << 4);
            w[g] = (g < CG / 2 ? d0 : d1) * (bytes4(q) - 32.0);
        }
        return;
    }
#endif
    // Other K-quants, and unaligned rows: the block's shared fields are re-read per group of 4,
    // but from the same addresses within one call, which compilers merge.
    for (uint g = 0; g < CG; ++g) w[g] = dequant_group(row, k + 4 * g, p.K);
}

vec4 load_x4(uint c, uint k) {
    const uint b = p.x_first + c * p.x_stride + k;
    if (X_VEC) return x4[b / 4];
    return vec4(x[b], x[b + 1], x[b + 2], x[b + 3]);
}

void main() {
    const uint tid = gl_LocalInvocationID.x;
    const uint row0 = flat_group_id() * ROWS;
    if (row0 >= p.M) return;  // whole workgroup leaves together

    float acc[ROWS][NCOLS];
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c) acc[r][c] = 0.0;

    const uint chunks = p.K / CHUNK;
    for (uint ch = tid; ch < chunks; ch += gl_WorkGroupSize.x) {
        const uint k = ch * CHUNK;
        vec4 w[ROWS][CG];
        for (uint r = 0; r < ROWS; ++r) {
            // Rows past M re-read the last row; their sums are never written.
            const uint row = min(row0 + r, p.M - 1);
            decode_chunk(p.w_first + row * p.w_stride, k, w[r]);
        }
        for (uint c = 0; c < NCOLS; ++c) {
            for (uint g = 0; g < CG; ++g) {
                const vec4 xv = load_x4(c, k + 4 * g);
                for (uint r = 0; r < ROWS; ++r) acc[r][c] += dot(w[r][g], xv);
            }
        }
    }

    // Plain types only: the last K % CHUNK values, by groups of 4 (zeros past K).
    for (uint g = chunks * CG + tid; g < (p.K + 3) / 4; g += gl_WorkGroupSize.x) {
        const uint k = 4 * g;
        for (uint c = 0; c < NCOLS; ++c) {
            const uint b = p.x_first + c * p.x_stride + k;
            const vec4 xv = vec4(x[b], k + 1 < p.K ? x[b + 1] : 0.0, k + 2 < p.K ? x[b + 2] : 0.0,
                                 k + 3 < p.K ? x[b + 3] : 0.0);
            for (uint r = 0; r < ROWS; ++r) {
                const uint row = min(row0 + r, p.M - 1);
                acc[r][c] += dot(dequant_group(p.w_first + row * p.w_stride, k, p.K), xv);
            }
        }
    }

    const uint RC = ROWS * NCOLS;
#if defined(SUBGROUP_ADD)
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c) {
            const float s = subgroupAdd(acc[r][c]);
            if (subgroupElect()) partial[gl_SubgroupID * RC + r * NCOLS + c] = s;
        }
    barrier();
    const uint parts = gl_NumSubgroups;
#else
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c) partial[tid * RC + r * NCOLS + c] = acc[r][c];
    barrier();
    // Tree over threads; the workgroup size is a power of two.
    for (uint s = gl_WorkGroupSize.x / 2; s > 1; s >>= 1) {
        if (tid < s) {
            for (uint i = 0; i < RC; ++i) partial[tid * RC + i] += partial[(tid + s) * RC + i];
        }
        barrier();
    }
    const uint parts = min(2u, gl_WorkGroupSize.x);
#endif
    for (uint i = tid; i < RC; i += gl_WorkGroupSize.x) {
        float s = 0.0;
        for (uint j = 0; j < parts; ++j) s += partial[j * RC + i];
        const uint r = i / NCOLS, c = i % NCOLS;
        if (row0 + r < p.M) d[p.out_first + c * p.out_stride + p.m0 + row0 + r] = s;
    }
}
