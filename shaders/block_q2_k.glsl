// Q2_K from block_words.glsl's kb[]: scales[16] (bytes 0..15, low nibble scale, high nibble
// min), qs[64] (words 4..19), d, dmin (word 20). Sub-block J = 4n + j: bits 2j of
// qs[32n + l], scale byte 2J + (l >> 4).
#define KB_HAS_DECODER 1
const uint KB_SUBS = 8;

void decode_sub(uint J, out vec4 w[8]) {
    const uint n = J >> 2, sh = 2u * (J & 3u);
    const vec2 dm = unpackHalf2x16(kb[20]);
    const uint s0 = kbyte(2 * J), s1 = kbyte(2 * J + 1);
    const float dl0 = dm.x * float(s0 & 0xFu), ml0 = dm.y * float(s0 >> 4);
    const float dl1 = dm.x * float(s1 & 0xFu), ml1 = dm.y * float(s1 >> 4);
    [[unroll]] for (uint g = 0; g < 8; ++g) {
        const vec4 q = bytes4((kb[4 + 8 * n + g] >> sh) & 0x03030303u);
        w[g] = g < 4 ? dl0 * q - ml0 : dl1 * q - ml1;
    }
}
