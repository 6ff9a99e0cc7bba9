// IQ4_NL from block_words.glsl's kb[]: d (bytes 0..1), qs[16] (bytes 2..17). Element l < 16 is
// the low nibble of qs[l], element l + 16 the high nibble, each an index into the code book (iq4nl_values).
#define KB_HAS_DECODER 1
const uint KB_SUBS = 1;

void decode_sub(uint j, out vec4 w[8]) {
    const float d = unpackHalf2x16(kb[0]).x;
    [[unroll]] for (uint g = 0; g < 4; ++g) {
        const uint q = (kb[g] >> 16) | (kb[g + 1] << 16);  // qs[4g .. 4g + 3]
        w[g] = d * iq4nl_values(q & 0x0F0F0F0Fu);
        w[g + 4] = d * iq4nl_values((q >> 4) & 0x0F0F0F0Fu);
    }
}
