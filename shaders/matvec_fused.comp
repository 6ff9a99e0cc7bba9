#version 450
// matvec.comp with a prologue and an epilogue, so that a decode step's norms, residual adds,
// biases and gated activations ride on the matrix-vector products instead of being
// dispatches of their own. The weight decoding is dequant_chunk.glsl's, as in matvec.comp.
//
// Prologue (IN_MODE), per column c of x:
//   0  x as it is
//   1  rms_norm(x) * norm_w                              (RMSNorm before a projection)
//   2  x' = x + rms_norm(res) * res_w; rms_norm(x') * norm_w, and workgroup 0 writes x' to
//      x_out                                             (Gemma 3: post-norm residual add)
// Each workgroup computes the norms itself (one extra pass over x: the product reads all of
// x anyway), so no dispatch and no barrier separates the norm from the product.
// Epilogue (OUT_MODE): 0 store (+ bias), 1 out += result (residual add), 2 gated: the weight
// holds [gate rows; up rows] (2M rows) and out = act(gate) * up (ACT 0 SiLU, 1 tanh GELU).
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_control_flow_attributes : require
#if defined(SUBGROUP_ADD)
#extension GL_KHR_shader_subgroup_arithmetic : require
#define SUBGROUP_REDUCE 1
#endif
#include "common.glsl"

#define W_BINDING 0
#define DQ_WIDE_LOADS 1
layout(constant_id = 9) const bool W_TEXELS = false;  // weights bound as texels (CPU devices)
#define DQ_TEXELS W_TEXELS
#include "dequant.glsl"
#define ACT_SILU 1
#include "activation.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const uint ROWS = 1;       // output rows per workgroup
layout(constant_id = 2) const uint NCOLS = 1;      // columns of x (N <= 8)
layout(constant_id = 3) const bool WIDE = false;   // rows aligned for wide weight loads
layout(constant_id = 4) const bool X_VEC = false;  // every x-side first/stride a multiple of 4
layout(constant_id = 5) const uint IN_MODE = 0;
layout(constant_id = 6) const uint OUT_MODE = 0;
layout(constant_id = 7) const uint ACT = 0;
layout(constant_id = 8) const bool HAS_BIAS = false;
layout(constant_id = 10) const bool X_TEXELS = false;  // x, norm_w, res, rw as texels (X_VEC)
layout(constant_id = 11) const bool LANE_ROWS = false;  // ROWS rows per invocation (CPU devices)

#include "workgroup_reduce.glsl"

layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer XV { vec4 x4[]; };
layout(std430, binding = 2) buffer D { float d[]; };
layout(std430, binding = 3) readonly buffer NW { float nw[]; };
layout(std430, binding = 3) readonly buffer NWV { vec4 nw4[]; };
layout(std430, binding = 4) readonly buffer B { float bias[]; };
layout(std430, binding = 5) readonly buffer R { float res[]; };
layout(std430, binding = 5) readonly buffer RV { vec4 res4[]; };
layout(std430, binding = 6) readonly buffer RW { float rw[]; };
layout(std430, binding = 6) readonly buffer RWV { vec4 rw4[]; };
layout(std430, binding = 7) writeonly buffer XO { float x_out[]; };
layout(binding = 8) uniform samplerBuffer x_texels;
layout(binding = 9) uniform samplerBuffer nw_texels;
layout(binding = 10) uniform samplerBuffer res_texels;
layout(binding = 11) uniform samplerBuffer rw_texels;

// x and the norm weights through texels (a CPU driver gathers them without a branch per lane)
// or storage.
vec4 ldx4(uint i) { return X_TEXELS ? texelFetch(x_texels, int(i)) : x4[i]; }
float ldx(uint i) { return X_TEXELS ? texelFetch(x_texels, int(i >> 2))[i & 3u] : x[i]; }
vec4 ldnw4(uint i) { return X_TEXELS ? texelFetch(nw_texels, int(i)) : nw4[i]; }
float ldnw(uint i) { return X_TEXELS ? texelFetch(nw_texels, int(i >> 2))[i & 3u] : nw[i]; }
// The residual and its norm weights (IN_MODE 2) are read once per x element as well.
vec4 ldres4(uint i) { return X_TEXELS ? texelFetch(res_texels, int(i)) : res4[i]; }
float ldres(uint i) { return X_TEXELS ? texelFetch(res_texels, int(i >> 2))[i & 3u] : res[i]; }
vec4 ldrw4(uint i) { return X_TEXELS ? texelFetch(rw_texels, int(i)) : rw4[i]; }
float ldrw(uint i) { return X_TEXELS ? texelFetch(rw_texels, int(i >> 2))[i & 3u] : rw[i]; }

layout(push_constant) uniform Push {
    uint M;  // output rows (gated: rows of each half)
    uint K;
    uint w_first;
    uint w_stride;
    uint x_first;
    uint x_stride;
    uint out_first;
    uint out_stride;
    uint m0;
    uint nw_first;
    uint bias_first;
    uint res_first;
    uint res_stride;
    uint rw_first;
    uint xo_first;
    uint xo_stride;
    float eps;
}
p;

#include "dequant_chunk.glsl"
#include "block_words.glsl"

const uint MAX_COLS = 8;
float res_scale[MAX_COLS];
float x_scale[MAX_COLS];

// x' (the prologue's input after the residual add) at column c, elements k..k+3.
vec4 input4(uint c, uint k) {
    const uint b = p.x_first + c * p.x_stride + k;
    vec4 v = X_VEC ? ldx4(b / 4) : vec4(ldx(b), ldx(b + 1), ldx(b + 2), ldx(b + 3));
    if (IN_MODE == 2) {
        const uint r = p.res_first + c * p.res_stride + k, w = p.rw_first + k;
        const vec4 o = X_VEC ? ldres4(r / 4) : vec4(res[r], res[r + 1], res[r + 2], res[r + 3]);
        const vec4 g = X_VEC ? ldrw4(w / 4) : vec4(rw[w], rw[w + 1], rw[w + 2], rw[w + 3]);
        v = v + (o * res_scale[c]) * g;
    }
    return v;
}

float input1(uint c, uint k) {
    float v = ldx(p.x_first + c * p.x_stride + k);
    if (IN_MODE == 2)
        v = v + (ldres(p.res_first + c * p.res_stride + k) * res_scale[c]) * ldrw(p.rw_first + k);
    return v;
}

// What the product multiplies: x' normalised when IN_MODE > 0.
vec4 load_x4(uint c, uint k) {
    vec4 v = input4(c, k);
    if (IN_MODE != 0) {
        const uint w = p.nw_first + k;
        const vec4 g = X_VEC ? ldnw4(w / 4) : vec4(ldnw(w), ldnw(w + 1), ldnw(w + 2), ldnw(w + 3));
        v = (v * x_scale[c]) * g;
    }
    return v;
}

float load_x1(uint c, uint k) {
    float v = input1(c, k);
    if (IN_MODE != 0) v = (v * x_scale[c]) * ldnw(p.nw_first + k);
    return v;
}

// Sum of squares of column c of x' (IN_MODE 2) or of the residual (res == true), in vec4
// steps where the host found everything aligned: lavapipe pays per load and per loop trip.
float column_squares(uint c, bool of_residual) {
    const uint tid = gl_LocalInvocationID.x;
    float sq = 0.0;
    const uint k4 = X_VEC ? p.K / 4 : 0;
    for (uint g = tid; g < k4; g += gl_WorkGroupSize.x) {
        vec4 v;
        if (of_residual) {
            v = ldres4((p.res_first + c * p.res_stride) / 4 + g);
        } else {
            v = input4(c, 4 * g);
        }
        sq += dot(v, v);
    }
    for (uint k = 4 * k4 + tid; k < p.K; k += gl_WorkGroupSize.x) {
        const float v = of_residual ? ldres(p.res_first + c * p.res_stride + k) : input1(c, k);
        sq += v * v;
    }
    return workgroup_sum(sq);
}

void prologue() {
    const uint tid = gl_LocalInvocationID.x;
    if (IN_MODE == 2) {
        for (uint c = 0; c < NCOLS; ++c)
            res_scale[c] = 1.0 / sqrt(column_squares(c, true) / float(p.K) + p.eps);
    }
    if (IN_MODE != 0) {
        for (uint c = 0; c < NCOLS; ++c)
            x_scale[c] = 1.0 / sqrt(column_squares(c, false) / float(p.K) + p.eps);
    }
    if (IN_MODE == 2 && flat_group_id() == 0) {
        // Other workgroups still read x, so the sum goes to a buffer of its own.
        for (uint c = 0; c < NCOLS; ++c)
            for (uint k = tid; k < p.K; k += gl_WorkGroupSize.x)
                x_out[p.xo_first + c * p.xo_stride + k] = input1(c, k);
    }
}

float activation(float v) {
    return ACT == 0 ? sigmoid_times(v, 1.0) : gelu_tanh(v);
}

void emit(uint row0, uint r, uint c, float s, float up) {
    const uint row = row0 + r;
    if (row >= p.M) return;
    const uint at = p.out_first + c * p.out_stride + p.m0 + row;
    if (OUT_MODE == 2) {
        d[at] = activation(s) * up;
        return;
    }
    if (HAS_BIAS) s = s + bias[p.bias_first + p.m0 + row];
    if (OUT_MODE == 1) s = d[at] + s;
    d[at] = s;
}

const bool GATED = OUT_MODE == 2;
const uint HALVES = GATED ? 2 : 1;
shared float partial[2 * ROWS * NCOLS * gl_WorkGroupSize.x];

#if defined(KB_HAS_DECODER)
// matvec.comp's lane rows (K-quants and IQ4_NL on CPU devices): each invocation decodes whole
// blocks of ROWS rows (and their up rows) in registers, and needs no reduction. The
// workgroup's norm prologue is shared by its invocations' rows.
void lane_rows_main() {
    const uint first = (flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x) * ROWS;
    float acc[ROWS][NCOLS], acc_up[ROWS][NCOLS];
    [[unroll]] for (uint r = 0; r < ROWS; ++r)
        [[unroll]] for (uint c = 0; c < NCOLS; ++c) {
            acc[r][c] = 0.0;
            acc_up[r][c] = 0.0;
        }
    const bool by16 = BLOCK_BYTES % 16 == 0 && p.w_first % 8 == 0 && p.w_stride % 8 == 0;
    const uint blocks = p.K / BLOCK_ELEMS;
    for (uint b = 0; b < blocks; ++b) {
        uint gate_kb[ROWS][KB_WORDS], up_kb[ROWS][KB_WORDS];
        [[unroll]] for (uint r = 0; r < ROWS; ++r) {
            // Rows past M re-read the last row; their sums are never written.
            const uint row = min(first + r, p.M - 1);
            const uint u = p.w_first + row * p.w_stride + b * BLOCK_UNITS;
            if (by16)
                load_block_words16(u);
            else
                load_block_words(u);
            gate_kb[r] = kb;
            if (GATED) {
                const uint uu = u + p.M * p.w_stride;
                if (by16)
                    load_block_words16(uu);
                else
                    load_block_words(uu);
                up_kb[r] = kb;
            }
        }
        [[unroll]] for (uint j = 0; j < KB_SUBS; ++j) {
            vec4 w[ROWS][8], wu[ROWS][8];
            [[unroll]] for (uint r = 0; r < ROWS; ++r) {
                kb = gate_kb[r];
                decode_sub(j, w[r]);
                if (GATED) {
                    kb = up_kb[r];
                    decode_sub(j, wu[r]);
                }
            }
            const uint k = b * BLOCK_ELEMS + 32 * j;
            [[unroll]] for (uint c = 0; c < NCOLS; ++c)
                [[unroll]] for (uint g = 0; g < 8; ++g) {
                    const vec4 xv = load_x4(c, k + 4 * g);
                    [[unroll]] for (uint r = 0; r < ROWS; ++r) {
                        acc[r][c] += dot(w[r][g], xv);
                        if (GATED) acc_up[r][c] += dot(wu[r][g], xv);
                    }
                }
        }
    }
    [[unroll]] for (uint r = 0; r < ROWS; ++r)
        [[unroll]] for (uint c = 0; c < NCOLS; ++c) emit(first, r, c, acc[r][c], acc_up[r][c]);
}
#endif

void main() {
    const uint tid = gl_LocalInvocationID.x;
    // The whole workgroup leaves together, before any barrier of the prologue.
    const uint row0 = flat_group_id() * (LANE_ROWS ? gl_WorkGroupSize.x * ROWS : ROWS);
    if (row0 >= p.M) return;
    prologue();
#if defined(KB_HAS_DECODER)
    if (LANE_ROWS) {
        lane_rows_main();
        return;
    }
#endif

    // The up rows (gated) have arrays of their own: one array of 2 * ROWS rows walked by a
    // loop bound that depends on the mode is not kept in registers by CPU drivers, and every
    // access then goes through memory (four times slower on lavapipe).
    float acc[ROWS][NCOLS], acc_up[ROWS][NCOLS];
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c) {
            acc[r][c] = 0.0;
            acc_up[r][c] = 0.0;
        }

    // Output row row0 + r; when gated, its up row is M rows further.
    const uint chunks = p.K / CHUNK;
    for (uint ch = tid; ch < chunks; ch += gl_WorkGroupSize.x) {
        const uint k = ch * CHUNK;
        vec4 w[ROWS][CG], wu[ROWS][CG];
        for (uint r = 0; r < ROWS; ++r) {
            // Rows past M re-read the last row; their sums are never written.
            const uint row = min(row0 + r, p.M - 1);
            decode_chunk(p.w_first + row * p.w_stride, k, p.K, w[r]);
            if (GATED) decode_chunk(p.w_first + (row + p.M) * p.w_stride, k, p.K, wu[r]);
        }
        for (uint c = 0; c < NCOLS; ++c) {
            for (uint g = 0; g < CG; ++g) {
                const vec4 xv = load_x4(c, k + 4 * g);
                for (uint r = 0; r < ROWS; ++r) {
                    acc[r][c] += dot(w[r][g], xv);
                    if (GATED) acc_up[r][c] += dot(wu[r][g], xv);
                }
            }
        }
    }

    // Plain types only: the last K % CHUNK values, by groups of 4 (zeros past K).
    for (uint g = chunks * CG + tid; g < (p.K + 3) / 4; g += gl_WorkGroupSize.x) {
        const uint k = 4 * g;
        for (uint c = 0; c < NCOLS; ++c) {
            const vec4 xv = vec4(load_x1(c, k), k + 1 < p.K ? load_x1(c, k + 1) : 0.0,
                                 k + 2 < p.K ? load_x1(c, k + 2) : 0.0,
                                 k + 3 < p.K ? load_x1(c, k + 3) : 0.0);
            for (uint r = 0; r < ROWS; ++r) {
                const uint row = min(row0 + r, p.M - 1);
                acc[r][c] += dot(dequant_group(p.w_first + row * p.w_stride, k, p.K), xv);
                if (GATED)
                    acc_up[r][c] +=
                        dot(dequant_group(p.w_first + (row + p.M) * p.w_stride, k, p.K), xv);
            }
        }
    }

    const uint RC = HALVES * ROWS * NCOLS;
#if defined(SUBGROUP_ADD)
    if (gl_NumSubgroups == 1) {
        for (uint r = 0; r < ROWS; ++r)
            for (uint c = 0; c < NCOLS; ++c) {
                const float s = subgroupAdd(acc[r][c]);
                const float up = GATED ? subgroupAdd(acc_up[r][c]) : 0.0;
                if (subgroupElect()) emit(row0, r, c, s, up);
            }
        return;
    }
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c) {
            const float s = subgroupAdd(acc[r][c]);
            const float up = GATED ? subgroupAdd(acc_up[r][c]) : 0.0;
            if (subgroupElect()) {
                partial[gl_SubgroupID * RC + r * NCOLS + c] = s;
                if (GATED) partial[gl_SubgroupID * RC + ROWS * NCOLS + r * NCOLS + c] = up;
            }
        }
    barrier();
    const uint parts = gl_NumSubgroups;
#else
    for (uint r = 0; r < ROWS; ++r)
        for (uint c = 0; c < NCOLS; ++c) {
            partial[tid * RC + r * NCOLS + c] = acc[r][c];
            if (GATED) partial[tid * RC + ROWS * NCOLS + r * NCOLS + c] = acc_up[r][c];
        }
    barrier();
    for (uint s = gl_WorkGroupSize.x / 2; s > 1; s >>= 1) {
        if (tid < s) {
            for (uint i = 0; i < RC; ++i) partial[tid * RC + i] += partial[(tid + s) * RC + i];
        }
        barrier();
    }
    const uint parts = min(2u, gl_WorkGroupSize.x);
#endif
    for (uint i = tid; i < ROWS * NCOLS; i += gl_WorkGroupSize.x) {
        float s = 0.0, up = 0.0;
        for (uint j = 0; j < parts; ++j) {
            s += partial[j * RC + i];
            if (GATED) up += partial[j * RC + ROWS * NCOLS + i];
        }
        emit(row0, i / NCOLS, i % NCOLS, s, up);
    }
}
