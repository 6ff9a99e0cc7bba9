// Q5_K from block_words.glsl's kb[]: d, dmin (word 0), 12 scale bytes (bytes 4..15), qh[32]
// (words 4..11), qs[128] (words 12..43). Sub-block j = 2c + h: nibble h of qs[32c + l] with
// bit j of qh[l] as the fifth bit.
#define KB_HAS_DECODER 1
const uint KB_SUBS = 8;

uvec2 kb_scale_min_k4(uint j) {
    if (j < 4) return uvec2(kbyte(4 + j) & 63u, kbyte(8 + j) & 63u);
    return uvec2((kbyte(8 + j) & 0xFu) | ((kbyte(j) >> 6) << 4),
                 (kbyte(8 + j) >> 4) | ((kbyte(4 + j) >> 6) << 4));
}

void decode_sub(uint j, out vec4 w[8]) {
    const uvec2 sm = kb_scale_min_k4(j);
    const vec2 dm = unpackHalf2x16(kb[0]);
    const float d1 = dm.x * float(sm.x), m1 = dm.y * float(sm.y);
    const uint c = j >> 1, sh = 4u * (j & 1u);
    [[unroll]] for (uint g = 0; g < 8; ++g) {
        const uint lo = (kb[12 + 8 * c + g] >> sh) & 0x0F0F0F0Fu;
        const uint hi = ((kb[4 + g] >> j) & 0x01010101u) << 4;
        w[g] = d1 * bytes4(lo | hi) - m1;
    }
}
