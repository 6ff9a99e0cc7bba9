// decode_chunk's wide Q2_K path (dequant_chunk.glsl): the 32 weights of sub-block J = 4n + j
// of the block at unit `blk` (even: 42-unit blocks in 4-byte aligned rows). Block: scales[16]
// (words 0..3; low nibble scale, high nibble min), qs[64] (words 4..19), d, dmin (word 20);
// weight l is bits 2j of qs[32n + l] with scale byte 2J + (l >> 4).
void decode_chunk_q2_k(uint blk, uint J, out vec4 w[CG]) {
    const uint b = blk >> 1;
    const uint sw = ld_w32(b + (J >> 1)) >> (16u * (J & 1u));  // scale bytes 2J, 2J + 1
    const vec2 dm = unpackHalf2x16(ld_w32(b + 20));
    const float dl0 = dm.x * float(sw & 0xFu), ml0 = dm.y * float((sw >> 4) & 0xFu);
    const float dl1 = dm.x * float((sw >> 8) & 0xFu), ml1 = dm.y * float((sw >> 12) & 0xFu);
    const uint qb = b + 4 + 8 * (J >> 2), sh = 2u * (J & 3u);
    for (uint g = 0; g < CG; ++g) {
        const vec4 q = bytes4((ld_w32(qb + g) >> sh) & 0x03030303u);
        w[g] = g < CG / 2 ? dl0 * q - ml0 : dl1 * q - ml1;
    }
}
