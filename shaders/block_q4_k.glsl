// Q4_K from block_words.glsl's kb[]: d, dmin (word 0), 12 scale bytes (bytes 4..15), qs[128]
// (words 4..35). Sub-block j = 2c + h is nibble h of qs[32c .. 32c + 31].
#define KB_HAS_DECODER 1
const uint KB_SUBS = 8;  // sub-blocks of 32 per block

// 6-bit scale and min of sub-block j, as prism::dequantize unpacks them.
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
    [[unroll]] for (uint g = 0; g < 8; ++g)
        w[g] = d1 * bytes4((kb[4 + 8 * c + g] >> sh) & 0x0F0F0F0Fu) - m1;
}
