// decode_chunk's wide Q3_K path (dequant_chunk.glsl): the 32 weights of sub-block J = 4n + j
// of the block at unit `blk`. Blocks are 55 units, so every other one starts mid-word: each
// range is read from the word holding its first unit and shifted when the block is odd.
// Block: hmask[32] (words 0..7), qs[64] (words 8..23), scales[12] (bytes 96..107), d (bytes
// 108..109); weight l is bits 2j of qs[32n + l], minus 4 where bit 4n + j of hmask[l] is clear.

// Words first .. first + count - 1 of the block, realigned (count <= 8). The block's 55
// units end in the low half of its word 27: no read goes past them.
void q3k_words(uint blk, uint first, uint count, out uint v[8]) {
    const uint base = (blk >> 1) + first;
    if ((blk & 1u) != 0u) {
        uint prev = ld_w32(base);
        for (uint t = 0; t < count; ++t) {
            const uint next = first + t + 1 < 28 ? ld_w32(base + t + 1) : 0u;
            v[t] = (prev >> 16) | (next << 16);
            prev = next;
        }
        return;
    }
    for (uint t = 0; t < count; ++t)
        v[t] = first + t == 27 ? uint(ld16(blk + 54)) : ld_w32(base + t);
}

void decode_chunk_q3_k(uint blk, uint J, out vec4 w[CG]) {
    uint hm[8], qs[8], sc[8];
    q3k_words(blk, 0, 8, hm);
    q3k_words(blk, 8 + 8 * (J >> 2), 8, qs);
    q3k_words(blk, 24, 4, sc);  // scale bytes 96..107, d in word 27
#define SCB(i) ((sc[(i) >> 2] >> (((i) & 3u) * 8)) & 0xFFu)
    float dl[2];
    for (uint h = 0; h < 2; ++h) {
        const uint si = 2 * J + h;
        const uint low4 = si < 8 ? (SCB(si) & 0xFu) : (SCB(si - 8) >> 4);
        const uint high2 = (SCB(8 + (si & 3u)) >> (2u * (si >> 2))) & 3u;
        dl[h] = float(int(low4 | (high2 << 4)) - 32);
    }
#undef SCB
    const float d = unpackHalf2x16(sc[3]).x;
    const uint sh = 2u * (J & 3u), hsh = 4u * (J >> 2) + (J & 3u);
    for (uint g = 0; g < CG; ++g) {
        const vec4 q = bytes4((qs[g] >> sh) & 0x03030303u);
        const vec4 h = bytes4((hm[g] >> hsh) & 0x01010101u);
        w[g] = (d * dl[g < CG / 2 ? 0 : 1]) * (q - 4.0 * (1.0 - h));
    }
}
