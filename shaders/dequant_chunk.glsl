// Wide decoding of CHUNK consecutive weights per call, for matvec.comp and matmul.comp.
// Include after dequant.glsl (with DQ_WIDE_LOADS defined) and after declaring the bool
// specialization constant WIDE: true when the host found the rows aligned (16 bytes for
// plain types, 4 bytes for block types), which the wide loads need.
#if defined(WTYPE_PLAIN)
const uint CHUNK = 8;
#else
const uint CHUNK = 32;  // divides every block size
#endif
const uint CG = CHUNK / 4;  // groups of 4 per chunk

#if defined(WTYPE_Q2_K)
#include "chunk_q2_k.glsl"
#elif defined(WTYPE_Q3_K)
#include "chunk_q3_k.glsl"
#elif defined(WTYPE_Q5_K)
#include "chunk_q5_k.glsl"
#endif

// Weights k..k+CHUNK-1 of the row at unit `row` (k + CHUNK <= K).
void decode_chunk(uint row, uint k, uint K, out vec4 w[CG]) {
#if defined(WTYPE_F32)
    if (WIDE) {
        for (uint g = 0; g < CG; ++g) w[g] = ld_w4((row + k) / 4 + g);
        return;
    }
#elif defined(WTYPE_F16) || defined(WTYPE_BF16)
    if (WIDE) {
        const uvec4 q = ld_w128((row + k) / 8);
#if defined(WTYPE_F16)
        w[0] = vec4(unpackHalf2x16(q.x), unpackHalf2x16(q.y));
        w[1] = vec4(unpackHalf2x16(q.z), unpackHalf2x16(q.w));
#else
        w[0] = uintBitsToFloat(uvec4(q.x << 16, q.x & 0xFFFF0000u, q.y << 16, q.y & 0xFFFF0000u));
        w[1] = uintBitsToFloat(uvec4(q.z << 16, q.z & 0xFFFF0000u, q.w << 16, q.w & 0xFFFF0000u));
#endif
        return;
    }
#elif defined(WTYPE_LEGACY)
    if (WIDE) {
        load_block_regs(row + (k / BLOCK_ELEMS) * BLOCK_UNITS);
        for (uint g = 0; g < CG; ++g) w[g] = dequant_block4_regs(0, g);
        return;
    }
#elif defined(WTYPE_Q4_K)
    if (WIDE) {
        // Sub-block j = 2c + h: nibble h of qs[32c .. 32c + 31]; scale and min decoded once.
        const uint blk = row + (k / 256) * BLOCK_UNITS, j = (k % 256) / 32;
        const uint b = blk >> 1;  // 72 units per block and aligned rows: blk is even
        const uint hdr[4] = uint[4](w32[b], w32[b + 1], w32[b + 2], w32[b + 3]);
        // Scale byte i (0..11) is byte 4 + i of the block.
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
        const uint qb = b + 4 + 8 * (j >> 1), sh = 4 * (j & 1u);
        for (uint g = 0; g < CG; ++g) w[g] = d1 * bytes4((w32[qb + g] >> sh) & 0x0F0F0F0Fu) - m1;
        return;
    }
#elif defined(WTYPE_Q2_K) || defined(WTYPE_Q3_K) || defined(WTYPE_Q5_K)
    if (WIDE) {
        const uint blk = row + (k / 256) * BLOCK_UNITS, j = (k % 256) / 32;
#if defined(WTYPE_Q2_K)
        decode_chunk_q2_k(blk, j, w);
#elif defined(WTYPE_Q3_K)
        decode_chunk_q3_k(blk, j, w);
#else
        decode_chunk_q5_k(blk, j, w);
#endif
        return;
    }
#elif defined(WTYPE_Q6_K)
    if (WIDE) {
        // Chunk s = 4n + qq of the block: nibble (qq >> 1) of ql[64n + 32(qq & 1) + l], bits
        // 2qq of qh[32n + l], int8 scale sc[8n + 2qq + (l >> 4)]. Blocks are 105 units, so
        // every other one starts mid-word: read 9 words and shift when it does.
        const uint blk = row + (k / 256) * BLOCK_UNITS, s = (k % 256) / 32;
        const uint n = s >> 2, qq = s & 3u;
        const uint odd = (blk & 1u) * 16u;
        const uint lb = (blk + 32 * n + 16 * (qq & 1u)) >> 1, hb = (blk + 64 + 16 * n) >> 1;
        uint lw[9], hw[9];
        for (uint t = 0; t < 9; ++t) {
            lw[t] = w32[lb + t];
            hw[t] = w32[hb + t];
        }
        const uint scw = uint(w16[blk + 96 + 4 * n + qq]);
        const float d = ld_half(blk + 104);
        const float d0 = d * float(bitfieldExtract(int(scw), 0, 8));
        const float d1 = d * float(bitfieldExtract(int(scw), 8, 8));
        const uint lsh = 4 * (qq >> 1), hsh = 2 * qq;
        for (uint g = 0; g < CG; ++g) {
            const uint l32 = odd != 0u ? (lw[g] >> 16) | (lw[g + 1] << 16) : lw[g];
            const uint h32 = odd != 0u ? (hw[g] >> 16) | (hw[g + 1] << 16) : hw[g];
            const uint q = ((l32 >> lsh) & 0x0F0F0F0Fu) | (((h32 >> hsh) & 0x03030303u) << 4);
            w[g] = (g < CG / 2 ? d0 : d1) * (bytes4(q) - 32.0);
        }
        return;
    }
#endif
    // Unaligned rows: the 16-bit path.
    for (uint g = 0; g < CG; ++g) w[g] = dequant_group(row, k + 4 * g, K);
}

