// Q6_K from block_words.glsl's kb[]: ql[128] (words 0..31), qh[64] (words 32..47), int8
// scales[16] (bytes 192..207), d (bytes 208..209). Sub-block s = 4n + qq: nibble (qq >> 1) of
// ql[64n + 32(qq & 1) + l], bits 2qq of qh[32n + l], scale sc[8n + 2qq + (l >> 4)].
#define KB_HAS_DECODER 1
const uint KB_SUBS = 8;

void decode_sub(uint s, out vec4 w[8]) {
    const uint n = s >> 2, qq = s & 3u;
    const float d = unpackHalf2x16(kb[52]).x;
    const float d0 = d * float(bitfieldExtract(int(kbyte(192 + 8 * n + 2 * qq)), 0, 8));
    const float d1 = d * float(bitfieldExtract(int(kbyte(193 + 8 * n + 2 * qq)), 0, 8));
    const uint lsh = 4u * (qq >> 1), hsh = 2u * qq;
    [[unroll]] for (uint g = 0; g < 8; ++g) {
        const uint lo = (kb[16 * n + 8 * (qq & 1u) + g] >> lsh) & 0x0F0F0F0Fu;
        const uint hi = ((kb[32 + 8 * n + g] >> hsh) & 0x03030303u) << 4;
        w[g] = (g < 4 ? d0 : d1) * (bytes4(lo | hi) - 32.0);
    }
}
