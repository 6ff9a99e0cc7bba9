// Q3_K from block_words.glsl's kb[]: hmask[32] (words 0..7), qs[64] (words 8..23), scales[12]
// (bytes 96..107), d (bytes 108..109). Sub-block J = 4n + j: bits 2j of qs[32n + l], bit
// 4n + j of hmask[l] (clear: minus 4), 6-bit signed scale 2J + (l >> 4).
#define KB_HAS_DECODER 1
const uint KB_SUBS = 8;

float kb_scale_q3_k(uint si) {
    const uint low4 = si < 8 ? (kbyte(96 + si) & 0xFu) : (kbyte(96 + si - 8) >> 4);
    const uint high2 = (kbyte(104 + (si & 3u)) >> (2u * (si >> 2))) & 3u;
    return float(int(low4 | (high2 << 4)) - 32);
}

void decode_sub(uint J, out vec4 w[8]) {
    const uint n = J >> 2, sh = 2u * (J & 3u);
    const float d = unpackHalf2x16(kb[27]).x;
    const float dl0 = d * kb_scale_q3_k(2 * J), dl1 = d * kb_scale_q3_k(2 * J + 1);
    [[unroll]] for (uint g = 0; g < 8; ++g) {
        const vec4 q = bytes4((kb[8 + 8 * n + g] >> sh) & 0x03030303u);
        const vec4 hm = bytes4((kb[g] >> (4u * n + (J & 3u))) & 0x01010101u);
        w[g] = (g < 4 ? dl0 : dl1) * (q - 4.0 * (1.0 - hm));
    }
}
