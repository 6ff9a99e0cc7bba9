// The body of a block decoder, included once per way of reading the block (dequant.glsl):
// the includer defines DQ_FN (the function name) and the loaders DQ_LD32(u) (4 bytes at unit
// u), DQ_LDH(u) (the half at unit u), DQ_LD8(blk, b) (byte b of the block at unit blk) and
// DQ_SCALE_MIN(blk, j) (Q4_K/Q5_K scale and min of sub-block j). Units are 2 bytes.

// Elements 4i..4i+3 of the block at unit `blk`.
vec4 DQ_FN(uint blk, uint i) {
#if defined(WTYPE_Q8_0)
    return DQ_LDH(blk) * sbytes4(DQ_LD32(blk + 1 + 2 * i));
#elif defined(WTYPE_Q4_0) || defined(WTYPE_Q4_1) || defined(WTYPE_IQ4_NL)
    // Byte j holds element j (low nibble) and j + 16 (high nibble).
#if defined(WTYPE_Q4_1)
    const uint qs = 2;
#else
    const uint qs = 1;
#endif
    const uint q = (DQ_LD32(blk + qs + 2 * (i & 3)) >> ((i >> 2) * 4)) & 0x0F0F0F0Fu;
    const float d = DQ_LDH(blk);
#if defined(WTYPE_Q4_0)
    return d * (bytes4(q) - 8.0);
#elif defined(WTYPE_Q4_1)
    return bytes4(q) * d + DQ_LDH(blk + 1);
#else
    return d * iq4nl_values(q);
#endif
#elif defined(WTYPE_Q5_0) || defined(WTYPE_Q5_1)
    // 32 fifth bits in qh (bit j for element j); nibbles as in Q4_0.
#if defined(WTYPE_Q5_0)
    const uint qh = 1, qs = 3;
#else
    const uint qh = 2, qs = 4;
#endif
    const uint lo = (DQ_LD32(blk + qs + 2 * (i & 3)) >> ((i >> 2) * 4)) & 0x0F0F0F0Fu;
    const uint h4 = (DQ_LD32(blk + qh) >> (4 * i)) & 0xFu;
    // Spread the four fifth bits to bit 4 of each byte.
    const uint hi = ((h4 & 1u) | ((h4 & 2u) << 7) | ((h4 & 4u) << 14) | ((h4 & 8u) << 21)) << 4;
    const vec4 q = bytes4(lo | hi);
    const float d = DQ_LDH(blk);
#if defined(WTYPE_Q5_0)
    return d * (q - 16.0);
#else
    return q * d + DQ_LDH(blk + 1);
#endif
#elif defined(WTYPE_Q2_K)
    // scales[16] @0, qs[64] @16, d @80, dmin @82. Element e = 128n + 32j + 16s + l uses
    // bits 2j..2j+1 of qs[32n + 16s + l] and scale byte e / 16.
    const uint e = 4 * i;
    const uint n = e >> 7, j = (e >> 5) & 3u, sl = e & 31u;
    const uint q = (DQ_LD32(blk + 8 + ((32 * n + sl) >> 1)) >> (2 * j)) & 0x03030303u;
    const uint sc = DQ_LD8(blk, e >> 4);
    const float dl = DQ_LDH(blk + 40) * float(sc & 0xFu);
    const float ml = DQ_LDH(blk + 41) * float(sc >> 4);
    return dl * bytes4(q) - ml;
#elif defined(WTYPE_Q3_K)
    // hmask[32] @0, qs[64] @32, scales[12] @96, d @108.
    const uint e = 4 * i;
    const uint n = e >> 7, j = (e >> 5) & 3u, sl = e & 31u;
    const uint q = (DQ_LD32(blk + 16 + ((32 * n + sl) >> 1)) >> (2 * j)) & 0x03030303u;
    const uint hm = (DQ_LD32(blk + (sl >> 1)) >> (4 * n + j)) & 0x01010101u;
    const uint si = e >> 4;
    const uint low4 = si < 8 ? (DQ_LD8(blk, 96 + si) & 0xFu) : (DQ_LD8(blk, 96 + si - 8) >> 4);
    const uint high2 = (DQ_LD8(blk, 104 + (si & 3u)) >> (2 * (si >> 2))) & 3u;
    const float dl = DQ_LDH(blk + 54) * float(int(low4 | (high2 << 4)) - 32);
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
    uint q = (DQ_LD32(blk + qs + ((32 * c + l) >> 1)) >> (4 * h)) & 0x0F0F0F0Fu;
#if defined(WTYPE_Q5_K)
    q |= ((DQ_LD32(blk + 8 + (l >> 1)) >> (2 * c + h)) & 0x01010101u) << 4;
#endif
    const vec2 sm = DQ_SCALE_MIN(blk, e >> 5);
    const float d1 = DQ_LDH(blk) * sm.x;
    const float m1 = DQ_LDH(blk + 1) * sm.y;
    return d1 * bytes4(q) - m1;
#elif defined(WTYPE_Q6_K)
    // ql[128] @0, qh[64] @128, scales[16] (int8) @192, d @208. In half n, element
    // 32qq + l takes nibble (qq >> 1) of ql[64n + 32(qq & 1) + l] and bits 2qq of qh[32n + l].
    const uint e = 4 * i;
    const uint n = e >> 7, qq = (e >> 5) & 3u, l = e & 31u;
    const uint lo = (DQ_LD32(blk + ((64 * n + 32 * (qq & 1u) + l) >> 1)) >> (4 * (qq >> 1))) & 0x0F0F0F0Fu;
    const uint hi = (DQ_LD32(blk + 64 + ((32 * n + l) >> 1)) >> (2 * qq)) & 0x03030303u;
    const int sc = bitfieldExtract(int(DQ_LD8(blk, 192 + 8 * n + (l >> 4) + 2 * qq)), 0, 8);
    const float d = DQ_LDH(blk + 104) * float(sc);
    return d * (bytes4(lo | (hi << 4)) - 32.0);
#endif
}
