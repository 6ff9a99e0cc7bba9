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

#if defined(WTYPE_F32) || defined(WTYPE_F16) || defined(WTYPE_BF16)
#define WTYPE_PLAIN 1
const uint BLOCK_ELEMS = 1;
#elif defined(WTYPE_Q2_K) || defined(WTYPE_Q3_K) || defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K) || \
    defined(WTYPE_Q6_K)
const uint BLOCK_ELEMS = 256;
#else
const uint BLOCK_ELEMS = 32;
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

#if !defined(WTYPE_F32)
uint ld16(uint u) { return uint(w16[u]); }
// Four bytes starting at an even byte offset, little-endian.
uint ld32(uint u) { return uint(w16[u]) | (uint(w16[u + 1]) << 16); }
float ld_half(uint u) { return unpackHalf2x16(uint(w16[u])).x; }
// Byte `b` of the block starting at unit `blk`.
uint ld8(uint blk, uint b) { return (uint(w16[blk + (b >> 1)]) >> ((b & 1) * 8)) & 0xFFu; }
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
const float kIq4nl[16] = float[16](-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0, 1.0, 13.0,
                                   25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
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
// Elements 4i..4i+3 of the block at unit `blk`.
vec4 dequant_block4(uint blk, uint i) {
#if defined(WTYPE_Q8_0)
    return ld_half(blk) * sbytes4(ld32(blk + 1 + 2 * i));
#elif defined(WTYPE_Q4_0) || defined(WTYPE_Q4_1) || defined(WTYPE_IQ4_NL)
    // Byte j holds element j (low nibble) and j + 16 (high nibble).
#if defined(WTYPE_Q4_1)
    const uint qs = 2;
#else
    const uint qs = 1;
#endif
    const uint q = (ld32(blk + qs + 2 * (i & 3)) >> ((i >> 2) * 4)) & 0x0F0F0F0Fu;
    const float d = ld_half(blk);
#if defined(WTYPE_Q4_0)
    return d * (bytes4(q) - 8.0);
#elif defined(WTYPE_Q4_1)
    return bytes4(q) * d + ld_half(blk + 1);
#else
    return d * vec4(kIq4nl[q & 0xFu], kIq4nl[(q >> 8) & 0xFu], kIq4nl[(q >> 16) & 0xFu],
                    kIq4nl[q >> 24]);
#endif
#elif defined(WTYPE_Q5_0) || defined(WTYPE_Q5_1)
    // 32 fifth bits in qh (bit j for element j); nibbles as in Q4_0.
#if defined(WTYPE_Q5_0)
    const uint qh = 1, qs = 3;
#else
    const uint qh = 2, qs = 4;
#endif
    const uint lo = (ld32(blk + qs + 2 * (i & 3)) >> ((i >> 2) * 4)) & 0x0F0F0F0Fu;
    const uint h4 = (ld32(blk + qh) >> (4 * i)) & 0xFu;
    // Spread the four fifth bits to bit 4 of each byte.
    const uint hi = ((h4 & 1u) | ((h4 & 2u) << 7) | ((h4 & 4u) << 14) | ((h4 & 8u) << 21)) << 4;
    const vec4 q = bytes4(lo | hi);
    const float d = ld_half(blk);
#if defined(WTYPE_Q5_0)
    return d * (q - 16.0);
#else
    return q * d + ld_half(blk + 1);
#endif
#elif defined(WTYPE_Q2_K)
    // scales[16] @0, qs[64] @16, d @80, dmin @82. Element e = 128n + 32j + 16s + l uses
    // bits 2j..2j+1 of qs[32n + 16s + l] and scale byte e / 16.
    const uint e = 4 * i;
    const uint n = e >> 7, j = (e >> 5) & 3u, sl = e & 31u;
    const uint q = (ld32(blk + 8 + ((32 * n + sl) >> 1)) >> (2 * j)) & 0x03030303u;
    const uint sc = ld8(blk, e >> 4);
    const float dl = ld_half(blk + 40) * float(sc & 0xFu);
    const float ml = ld_half(blk + 41) * float(sc >> 4);
    return dl * bytes4(q) - ml;
#elif defined(WTYPE_Q3_K)
    // hmask[32] @0, qs[64] @32, scales[12] @96, d @108.
    const uint e = 4 * i;
    const uint n = e >> 7, j = (e >> 5) & 3u, sl = e & 31u;
    const uint q = (ld32(blk + 16 + ((32 * n + sl) >> 1)) >> (2 * j)) & 0x03030303u;
    const uint hm = (ld32(blk + (sl >> 1)) >> (4 * n + j)) & 0x01010101u;
    const uint si = e >> 4;
    const uint low4 = si < 8 ? (ld8(blk, 96 + si) & 0xFu) : (ld8(blk, 96 + si - 8) >> 4);
    const uint high2 = (ld8(blk, 104 + (si & 3u)) >> (2 * (si >> 2))) & 3u;
    const float dl = ld_half(blk + 54) * float(int(low4 | (high2 << 4)) - 32);
    // A clear hmask bit subtracts 4.
    return dl * (bytes4(q) - 4.0 * (1.0 - bytes4(hm)));
#elif defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K)
    // d @0, dmin @2, scales[12] @4, (Q5_K: qh[32] @16), qs[128] @16 or @48. Element
    // e = 64c + 32h + l: nibble h of qs[32c + l], sub-block e / 32.
    const uint e = 4 * i;
    const uint c = e >> 6, h = (e >> 5) & 1u, l = e & 31u;
#if defined(WTYPE_Q4_K)
    const uint qs = 8;
#else
    const uint qs = 24;
#endif
    uint q = (ld32(blk + qs + ((32 * c + l) >> 1)) >> (4 * h)) & 0x0F0F0F0Fu;
#if defined(WTYPE_Q5_K)
    q |= ((ld32(blk + 8 + (l >> 1)) >> (2 * c + h)) & 0x01010101u) << 4;
#endif
    const vec2 sm = scale_min_k4(blk, e >> 5);
    const float d1 = ld_half(blk) * sm.x;
    const float m1 = ld_half(blk + 1) * sm.y;
    return d1 * bytes4(q) - m1;
#elif defined(WTYPE_Q6_K)
    // ql[128] @0, qh[64] @128, scales[16] (int8) @192, d @208. In half n, element
    // 32qq + l takes nibble (qq >> 1) of ql[64n + 32(qq & 1) + l] and bits 2qq of qh[32n + l].
    const uint e = 4 * i;
    const uint n = e >> 7, qq = (e >> 5) & 3u, l = e & 31u;
    const uint lo = (ld32(blk + ((64 * n + 32 * (qq & 1u) + l) >> 1)) >> (4 * (qq >> 1))) & 0x0F0F0F0Fu;
    const uint hi = (ld32(blk + 64 + ((32 * n + l) >> 1)) >> (2 * qq)) & 0x03030303u;
    const int sc = bitfieldExtract(int(ld8(blk, 192 + 8 * n + (l >> 4) + 2 * qq)), 0, 8);
    const float d = ld_half(blk + 104) * float(sc);
    return d * (bytes4(lo | (hi << 4)) - 32.0);
#endif
}
#endif

// Element k of a plain-typed row.
#if defined(WTYPE_PLAIN)
float dequant_one(uint row, uint k) {
#if defined(WTYPE_F32)
    return wf[row + k];
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
        return vec4(wf[row + k], wf[row + k + 1], wf[row + k + 2], wf[row + k + 3]);
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
