// Weight decoding shared by every op that reads weights (matvec, matmul, get_rows).
//
// The including shader defines W_BINDING (the binding of the weight buffer) and one
// WTYPE_<type>. Rows are addressed in "units": 4 bytes for F32 (read through a float array),
// 2 bytes for every other type (read through a uint16_t array, since every block size is
// even but many, e.g. Q4_0's 18 bytes, are not multiples of 4). The host passes row bases
// and strides in those units.
//
// The one entry point is dequant_group(row, k, K): elements k..k+3 (k a multiple of 4) of
// the row starting at unit `row`, with zeros past K. Groups of 4 never straddle a block
// (every block size is a multiple of 4), so each call decodes from one block, and the
// formulas mirror the CPU reference (prism::dequantize) operation by operation.

#extension GL_EXT_shader_16bit_storage : require

#if defined(WTYPE_F32)
layout(std430, binding = W_BINDING) readonly buffer WeightF32 { float wf[]; };
#else
layout(std430, binding = W_BINDING) readonly buffer WeightU16 { uint16_t w16[]; };
#endif
// DQ_TEXELS names a bool the including shader declares (a specialization constant): when
// true the host binds the weights as RGBA32UI texels instead (gpu::Via::texel_uvec4), which a
// CPU driver reads without a branch per lane, and every weight read below goes through them.
#if defined(DQ_TEXELS)
layout(binding = 12) uniform usamplerBuffer w_texels;
#define DQ_TX DQ_TEXELS
// 32-bit word i of the binding (a select picks the word out of its texel).
uint tx_word(uint i) { return texelFetch(w_texels, int(i >> 2))[i & 3u]; }
uvec4 tx_word4(uint i) { return texelFetch(w_texels, int(i)); }
#else
#define DQ_TX false
uint tx_word(uint i) { return 0u; }
uvec4 tx_word4(uint i) { return uvec4(0u); }
#endif
#if defined(DQ_WIDE_LOADS)
// Wider views of the same weights, for readers that know their rows are aligned (the host
// checks): lavapipe pays per load, not per byte, and GPUs coalesce wide loads better.
#if defined(WTYPE_F32)
layout(std430, binding = W_BINDING) readonly buffer WeightVec4 { vec4 wf4[]; };
vec4 ld_w4(uint i) { return DQ_TX ? uintBitsToFloat(tx_word4(i)) : wf4[i]; }
#else
layout(std430, binding = W_BINDING) readonly buffer WeightU32 { uint w32[]; };
layout(std430, binding = W_BINDING) readonly buffer WeightUvec4 { uvec4 w128[]; };
uint ld_w32(uint i) { return DQ_TX ? tx_word(i) : w32[i]; }
uvec4 ld_w128(uint i) { return DQ_TX ? tx_word4(i) : w128[i]; }
#endif
#endif

#if defined(WTYPE_F32) || defined(WTYPE_F16) || defined(WTYPE_BF16)
#define WTYPE_PLAIN 1
const uint BLOCK_ELEMS = 1;
#elif defined(WTYPE_Q2_K) || defined(WTYPE_Q3_K) || defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K) || \
    defined(WTYPE_Q6_K)
const uint BLOCK_ELEMS = 256;
#else
const uint BLOCK_ELEMS = 32;
#define WTYPE_LEGACY 1
#endif

// Block size in 16-bit units.
#if defined(WTYPE_Q8_0)
const uint BLOCK_UNITS = 17;
#elif defined(WTYPE_Q4_0) || defined(WTYPE_IQ4_NL)
const uint BLOCK_UNITS = 9;
#elif defined(WTYPE_Q4_1)
const uint BLOCK_UNITS = 10;
#elif defined(WTYPE_Q5_0)
const uint BLOCK_UNITS = 11;
#elif defined(WTYPE_Q5_1)
const uint BLOCK_UNITS = 12;
#elif defined(WTYPE_Q2_K)
const uint BLOCK_UNITS = 42;
#elif defined(WTYPE_Q3_K)
const uint BLOCK_UNITS = 55;
#elif defined(WTYPE_Q4_K)
const uint BLOCK_UNITS = 72;
#elif defined(WTYPE_Q5_K)
const uint BLOCK_UNITS = 88;
#elif defined(WTYPE_Q6_K)
const uint BLOCK_UNITS = 105;
#elif !defined(WTYPE_PLAIN)
#error "dequant.glsl needs one WTYPE_<type> define"
#endif

#if defined(WTYPE_F32)
float ld_f32(uint i) { return DQ_TX ? uintBitsToFloat(tx_word(i)) : wf[i]; }
#else
uint ld16(uint u) { return DQ_TX ? (tx_word(u >> 1) >> ((u & 1u) * 16u)) & 0xFFFFu : uint(w16[u]); }
// Four bytes starting at an even byte offset, little-endian.
uint ld32(uint u) { return ld16(u) | (ld16(u + 1) << 16); }
float ld_half(uint u) { return unpackHalf2x16(ld16(u)).x; }
// Byte `b` of the block starting at unit `blk`.
uint ld8(uint blk, uint b) { return (ld16(blk + (b >> 1)) >> ((b & 1) * 8)) & 0xFFu; }
#endif

// The four bytes of a word as floats, byte 0 first.
vec4 bytes4(uint v) { return vec4((uvec4(v) >> uvec4(0, 8, 16, 24)) & 0xFFu); }
// The four bytes of a word as signed values.
vec4 sbytes4(uint v) {
    const int s = int(v);
    return vec4(bitfieldExtract(s, 0, 8), bitfieldExtract(s, 8, 8), bitfieldExtract(s, 16, 8),
                bitfieldExtract(s, 24, 8));
}

#if defined(WTYPE_IQ4_NL)
// The IQ4_NL code book (-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89,
// 113) as int8 bytes, four to a word. A constant array indexed per lane is a scalar loop on
// llvmpipe; picking the word with two selects and the byte with a shift stays in vectors.
const uvec4 kIq4nlWords = uvec4(0xBFAD9881u, 0xF6EADDCFu, 0x26190D01u, 0x71594535u);

// The code book values of the four indices (0..15) in the bytes of q, byte 0 first.
vec4 iq4nl_values(uint q) {
    const uvec4 idx = (uvec4(q) >> uvec4(0, 8, 16, 24)) & 0xFu;
    const uvec4 hi = idx >> 2;
    const uvec4 word = mix(mix(uvec4(kIq4nlWords.x), uvec4(kIq4nlWords.y), equal(hi, uvec4(1))),
                           mix(uvec4(kIq4nlWords.z), uvec4(kIq4nlWords.w), equal(hi, uvec4(3))),
                           greaterThanEqual(hi, uvec4(2)));
    return vec4(ivec4(word << ((3u - (idx & 3u)) * 8u)) >> 24);
}
#endif

#if defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K)
// 6-bit scale and min of sub-block j (0..7); the 12 scale bytes start at byte 4 of the block.
vec2 scale_min_k4(uint blk, uint j) {
    if (j < 4) {
        return vec2(float(ld8(blk, 4 + j) & 63u), float(ld8(blk, 8 + j) & 63u));
    }
    const uint b = ld8(blk, 8 + j);
    const uint sc = (b & 0xFu) | ((ld8(blk, j) >> 6) << 4);
    const uint m = (b >> 4) | ((ld8(blk, 4 + j) >> 6) << 4);
    return vec2(float(sc), float(m));
}
#endif

#if !defined(WTYPE_PLAIN)
#define DQ_FN dequant_block4
#define DQ_LD32 ld32
#define DQ_LDH ld_half
#define DQ_LD8 ld8
#define DQ_SCALE_MIN scale_min_k4
#include "dequant_block.glsl"
#undef DQ_FN
#undef DQ_LD32
#undef DQ_LDH
#undef DQ_LD8
#undef DQ_SCALE_MIN
#endif

#if defined(DQ_WIDE_LOADS) && defined(WTYPE_LEGACY)
// A legacy block (at most 12 units) held in registers, realigned so that dq_blk[j] holds
// units 2j and 2j + 1 of the block: load_block_regs() reads it with 32-bit loads once, and
// dequant_block4_regs(0, i) decodes from it with the same formulas as dequant_block4.
const uint BLOCK_WORDS = (BLOCK_UNITS + 1) / 2;
uint dq_blk[BLOCK_WORDS];

// Needs 4-byte aligned rows when BLOCK_UNITS is even (then `u` is always even); with an odd
// BLOCK_UNITS the block's words never reach past its own last unit.
void load_block_regs(uint u) {
    const uint base = u >> 1;
    uint raw[BLOCK_WORDS + 1];
    for (uint j = 0; j < BLOCK_WORDS; ++j) raw[j] = ld_w32(base + j);
    raw[BLOCK_WORDS] = 0u;
    const bool odd = (u & 1u) != 0u;
    for (uint j = 0; j < BLOCK_WORDS; ++j)
        dq_blk[j] = odd ? (raw[j] >> 16) | (raw[j + 1] << 16) : raw[j];
}
uint rg32(uint u) {
    return (u & 1u) == 0u ? dq_blk[u >> 1] : (dq_blk[u >> 1] >> 16) | (dq_blk[(u >> 1) + 1] << 16);
}
float rg_half(uint u) { return unpackHalf2x16(dq_blk[u >> 1] >> ((u & 1u) * 16)).x; }
uint rg8(uint blk, uint b) {
    const uint byte = 2 * blk + b;
    return (dq_blk[byte >> 2] >> ((byte & 3u) * 8)) & 0xFFu;
}

#define DQ_FN dequant_block4_regs
#define DQ_LD32 rg32
#define DQ_LDH rg_half
#define DQ_LD8 rg8
#define DQ_SCALE_MIN scale_min_k4
#include "dequant_block.glsl"
#undef DQ_FN
#undef DQ_LD32
#undef DQ_LDH
#undef DQ_LD8
#undef DQ_SCALE_MIN
#endif

// Element k of a plain-typed row.
#if defined(WTYPE_PLAIN)
float dequant_one(uint row, uint k) {
#if defined(WTYPE_F32)
    return ld_f32(row + k);
#elif defined(WTYPE_F16)
    return ld_half(row + k);
#else
    return uintBitsToFloat(ld16(row + k) << 16);
#endif
}
#endif

vec4 dequant_group(uint row, uint k, uint K) {
#if defined(WTYPE_PLAIN)
    if (k + 4 <= K) {
#if defined(WTYPE_F32)
        return vec4(ld_f32(row + k), ld_f32(row + k + 1), ld_f32(row + k + 2), ld_f32(row + k + 3));
#elif defined(WTYPE_F16)
        // k may be odd relative to a 4-byte word, so read halves one by one.
        return vec4(ld_half(row + k), ld_half(row + k + 1), ld_half(row + k + 2), ld_half(row + k + 3));
#else
        return uintBitsToFloat(uvec4(ld16(row + k), ld16(row + k + 1), ld16(row + k + 2),
                                     ld16(row + k + 3)) << 16);
#endif
    }
    vec4 v = vec4(0.0);
    for (uint t = 0; t < 4; ++t) {
        if (k + t < K) v[t] = dequant_one(row, k + t);
    }
    return v;
#else
    if (k >= K) return vec4(0.0);
    return dequant_block4(row + (k / BLOCK_ELEMS) * BLOCK_UNITS, (k % BLOCK_ELEMS) >> 2);
#endif
}
