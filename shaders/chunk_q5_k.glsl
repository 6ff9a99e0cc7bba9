// decode_chunk's wide Q5_K path (dequant_chunk.glsl): the 32 weights of sub-block j = 2c + h
// of the block at unit `blk` (even: 88-unit blocks in 4-byte aligned rows). Block: d, dmin
// (word 0), 12 scale bytes (words 1..3), qh[32] (words 4..11), qs[128] (words 12..43);
// weight l of the sub-block is nibble h of qs[32c + l] with bit j of qh[l] as its fifth bit.
void decode_chunk_q5_k(uint blk, uint j, out vec4 w[CG]) {
    const uint b = blk >> 1;
    const uint hdr[4] = uint[4](ld_w32(b), ld_w32(b + 1), ld_w32(b + 2), ld_w32(b + 3));
#define SCB(i) ((hdr[((i) + 4) >> 2] >> ((((i) + 4) & 3u) * 8)) & 0xFFu)
    uint sc, mn;
    if (j < 4) {
        sc = SCB(j) & 63u;
        mn = SCB(j + 4) & 63u;
    } else {
        sc = (SCB(j + 4) & 0xFu) | ((SCB(j - 4) >> 6) << 4);
        mn = (SCB(j + 4) >> 4) | ((SCB(j) >> 6) << 4);
    }
#undef SCB
    const vec2 dm = unpackHalf2x16(hdr[0]);
    const float d1 = dm.x * float(sc), m1 = dm.y * float(mn);
    const uint qb = b + 12 + 8 * (j >> 1), sh = 4 * (j & 1u);
    for (uint g = 0; g < CG; ++g) {
        const uint lo = (ld_w32(qb + g) >> sh) & 0x0F0F0F0Fu;
        const uint hi = ((ld_w32(b + 4 + g) >> j) & 0x01010101u) << 4;
        w[g] = d1 * bytes4(lo | hi) - m1;
    }
}
