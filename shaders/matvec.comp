#version 450
// out[m, n] = sum_k W[k, m] * x[k, n] for a few columns n (decode): memory-bound, so each
// workgroup reads ROWS weight rows exactly once and reduces across the workgroup.
// Each thread takes CHUNK consecutive elements per step (a whole 32-element block for
// legacy quants, a 32-element sub-block for K-quants, 8 values for plain types) so that it
// issues few, wide loads: lavapipe pays per load instruction and per loop trip, and on GPUs
// neighbouring threads still read neighbouring bytes. WIDE (spec constant, set by the host
// when rows and x are aligned) enables the 32/128-bit views; otherwise the 16-bit path.
// SUBGROUP_ADD reduces with subgroupAdd first, else shared memory only.
// LANE_ROWS (spec constant, K-quants and IQ4_NL on CPU devices) gives each invocation whole
// rows instead: it reads each block whole into registers (block_words.glsl) and decodes it
// with constant indices, and no reduction is needed.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#if defined(SUBGROUP_ADD)
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif
#include "common.glsl"

#define W_BINDING 0
#define DQ_WIDE_LOADS 1
layout(constant_id = 7) const bool W_TEXELS = false;  // weights bound as texels (CPU devices)
#define DQ_TEXELS W_TEXELS
#include "dequant.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint ROWS = 1;       // weight rows per workgroup
layout(constant_id = 2) const uint NCOLS = 1;      // columns of x (N)
layout(constant_id = 3) const bool WIDE = false;   // rows 16-byte (plain) / 4-byte (quant) aligned
layout(constant_id = 4) const bool X_VEC = false;  // x_first, x_stride multiples of 4
layout(constant_id = 5) const bool LANE_ROWS = false;  // ROWS rows per invocation, no reduction
layout(constant_id = 6) const bool X_TEXELS = false;   // x bound as RGBA32F texels (CPU devices)

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
    uint w_first;   // unit offset of the chunk's first row
    uint w_stride;  // units per row
    uint x_first;
    uint x_stride;  // floats per column of x
    uint out_first;
    uint out_stride;  // floats per column of out
    uint m0;          // row of out that the chunk's first row writes
}
p;

#include "dequant_chunk.glsl"
#include "block_words.glsl"

shared float partial[ROWS * NCOLS * gl_WorkGroupSize.x];

// Texel reads (X_TEXELS) need X_VEC's alignment: the host sets both or neither.
float load_x(uint i) { return X_TEXELS ? texelFetch(x_texels, int(i >> 2))[i & 3u] : x[i]; }

vec4 load_x4(uint c, uint k) {
    const uint b = p.x_first + c * p.x_stride + k;
    if (X_TEXELS) return texelFetch(x_texels, int(b / 4));
    if (X_VEC) return x4[b / 4];
    return vec4(x[b], x[b + 1], x[b + 2], x[b + 3]);
}

#if defined(KB_HAS_DECODER)
// Every load is a per-lane loop on llvmpipe, whatever the address: each x vec4 read here
// serves the ROWS rows of the invocation, each weight word is read once.
void lane_rows_main() {
    const uint first = (flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x) * ROWS;
    if (first >= p.M) return;
    float acc[ROWS][NCOLS];
    [[unroll]] for (uint r = 0; r < ROWS; ++r)
        [[unroll]] for (uint c = 0; c < NCOLS; ++c) acc[r][c] = 0.0;
    // 16-byte loads where the block size and the rows allow (Q4_K, Q5_K); a uniform branch.
    const bool by16 = BLOCK_BYTES % 16 == 0 && p.w_first % 8 == 0 && p.w_stride % 8 == 0;
    const uint blocks = p.K / BLOCK_ELEMS;
    for (uint b = 0; b < blocks; ++b) {
        uint rows_kb[ROWS][KB_WORDS];
        [[unroll]] for (uint r = 0; r < ROWS; ++r) {
            // Rows past M re-read the last row; their sums are never written.
            const uint u = p.w_first + min(first + r, p.M - 1) * p.w_stride + b * BLOCK_UNITS;
            if (by16)
                load_block_words16(u);
            else
                load_block_words(u);
            rows_kb[r] = kb;
        }
        [[unroll]] for (uint j = 0; j < KB_SUBS; ++j) {
            vec4 w[ROWS][8];
            [[unroll]] for (uint r = 0; r < ROWS; ++r) {
                kb = rows_kb[r];
                decode_sub(j, w[r]);
            }
            const uint k = b * BLOCK_ELEMS + 32 * j;
            [[unroll]] for (uint c = 0; c < NCOLS; ++c)
                [[unroll]] for (uint g = 0; g < 8; ++g) {
                    const vec4 xv = load_x4(c, k + 4 * g);
                    [[unroll]] for (uint r = 0; r < ROWS; ++r) acc[r][c] += dot(w[r][g], xv);
                }
        }
    }
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c)
            if (first + r < p.M) d[p.out_first + c * p.out_stride + p.m0 + first + r] = acc[r][c];
}
#endif

void main() {
#if defined(KB_HAS_DECODER)
    if (LANE_ROWS) {
        lane_rows_main();
        return;
    }
#endif
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
            decode_chunk(p.w_first + row * p.w_stride, k, p.K, w[r]);
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
            const vec4 xv = vec4(load_x(b), k + 1 < p.K ? load_x(b + 1) : 0.0,
                                 k + 2 < p.K ? load_x(b + 2) : 0.0, k + 3 < p.K ? load_x(b + 3) : 0.0);
            for (uint r = 0; r < ROWS; ++r) {
                const uint row = min(row0 + r, p.M - 1);
                acc[r][c] += dot(dequant_group(p.w_first + row * p.w_stride, k, p.K), xv);
            }
        }
    }

    const uint RC = ROWS * NCOLS;
#if defined(SUBGROUP_ADD)
    // One-subgroup workgroups (what CPU devices get) need no shared memory and no barrier.
    // gl_NumSubgroups is the same for the whole workgroup, so the branch is uniform.
    if (gl_NumSubgroups == 1) {
        for (uint r = 0; r < ROWS; ++r)
            for (uint c = 0; c < NCOLS; ++c) {
                const float s = subgroupAdd(acc[r][c]);
                if (subgroupElect() && row0 + r < p.M)
                    d[p.out_first + c * p.out_stride + p.m0 + row0 + r] = s;
            }
        return;
    }
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
