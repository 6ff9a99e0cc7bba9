// One weight block held in registers as 32-bit words, for kernels where each invocation reads
// whole blocks (matvec.comp's lane-rows path). kb[i] holds bytes 4i..4i+3 of the block, so
// the per-type decoders (block_<type>.glsl) index it with constants once their loops unroll:
// no per-lane table or array lookups, which llvmpipe turns into scalar loops.
//
// Include after dequant.glsl (DQ_WIDE_LOADS defined).

#if defined(WTYPE_Q2_K) || defined(WTYPE_Q3_K) || defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K) || \
    defined(WTYPE_Q6_K) || defined(WTYPE_IQ4_NL)
const uint BLOCK_BYTES = 2 * BLOCK_UNITS;
const uint KB_WORDS = (BLOCK_BYTES + 3) / 4;
uint kb[KB_WORDS];

// The block starting at unit `u` (u even needs a 4-byte aligned buffer start, which bindings
// have). Blocks of an odd unit count start at an odd unit in every other block and, in rows
// of an odd number of blocks, in every other row: their words are read from the unit before
// and shifted per lane (selects, no branch). No read reaches past the block's last unit: a
// word that would straddle the end of the binding reads as zero where buffers are robust.
void load_block_words(uint u) {
    const uint base = u >> 1;
    if (BLOCK_UNITS % 2u == 0u) {
        [[unroll]] for (uint i = 0; i < KB_WORDS; ++i) kb[i] = ld_w32(base + i);
        return;
    }
    const bool odd = (u & 1u) != 0u;
    uint prev = ld_w32(base);
    [[unroll]] for (uint i = 0; i + 1 < KB_WORDS; ++i) {
        // Even blocks end in the low half of their last word: read a word already read instead.
        const uint next = ld_w32(i + 2 < KB_WORDS || odd ? base + i + 1 : base + i);
        kb[i] = odd ? (prev >> 16) | (next << 16) : prev;
        prev = next;
    }
    kb[KB_WORDS - 1] = odd ? prev >> 16 : uint(ld16(u + BLOCK_UNITS - 1));
}

// The same block read 16 bytes at a time; `u` must be a multiple of 8 units (the host checks
// the row's first unit and stride) and BLOCK_BYTES a multiple of 16 (Q4_K, Q5_K).
void load_block_words16(uint u) {
    const uint base = u >> 3;
    [[unroll]] for (uint i = 0; i < KB_WORDS / 4; ++i) {
        const uvec4 q = ld_w128(base + i);
        kb[4 * i] = q.x;
        kb[4 * i + 1] = q.y;
        kb[4 * i + 2] = q.z;
        kb[4 * i + 3] = q.w;
    }
}

// Byte `i` of the block (a constant after unrolling).
uint kbyte(uint i) { return (kb[i >> 2] >> ((i & 3u) * 8u)) & 0xFFu; }

#if defined(WTYPE_Q2_K)
#include "block_q2_k.glsl"
#elif defined(WTYPE_Q3_K)
#include "block_q3_k.glsl"
#elif defined(WTYPE_Q4_K)
#include "block_q4_k.glsl"
#elif defined(WTYPE_Q5_K)
#include "block_q5_k.glsl"
#elif defined(WTYPE_Q6_K)
#include "block_q6_k.glsl"
#elif defined(WTYPE_IQ4_NL)
#include "block_iq4_nl.glsl"
#endif
#endif
