#pragma once

// Per-type block decoders behind prism::dequantize. Each decodes `blocks` whole blocks from
// `src` (GGUF byte layout, any alignment) into `dst`. The arithmetic mirrors the gguf
// package's numpy code operation by operation (same products in the same order, float32
// throughout) so the results are bit-exact with it. Every product is exact in float32 (an
// 11-bit fp16 scale times at most 7 + 5 bits of sub-scale and quant), so only the final
// add of a min/offset rounds, and a compiler fusing it into an FMA cannot change the result.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "prism/half.hpp"

namespace prism::quant {

static_assert(std::endian::native == std::endian::little,
              "GGUF blocks are little-endian; the decoders read them in place");

inline std::uint8_t byte_at(const std::byte* p, std::size_t i) {
    return std::to_integer<std::uint8_t>(p[i]);
}

inline float half_at(const std::byte* p) {
    std::uint16_t bits;
    std::memcpy(&bits, p, sizeof bits);
    return half_to_float(bits);
}

// Plain types (plain_types.cpp).
void decode_f32(const std::byte* src, std::size_t elements, float* dst);
void decode_f16(const std::byte* src, std::size_t elements, float* dst);
void decode_bf16(const std::byte* src, std::size_t elements, float* dst);

// 32-element blocks (legacy_blocks.cpp).
void decode_q4_0(const std::byte* src, std::size_t blocks, float* dst);
void decode_q4_1(const std::byte* src, std::size_t blocks, float* dst);
void decode_q5_0(const std::byte* src, std::size_t blocks, float* dst);
void decode_q5_1(const std::byte* src, std::size_t blocks, float* dst);
void decode_q8_0(const std::byte* src, std::size_t blocks, float* dst);
void decode_iq4_nl(const std::byte* src, std::size_t blocks, float* dst);

// 256-element super-blocks (k_quants.cpp).
void decode_q2_k(const std::byte* src, std::size_t blocks, float* dst);
void decode_q3_k(const std::byte* src, std::size_t blocks, float* dst);
void decode_q4_k(const std::byte* src, std::size_t blocks, float* dst);
void decode_q5_k(const std::byte* src, std::size_t blocks, float* dst);
void decode_q6_k(const std::byte* src, std::size_t blocks, float* dst);

}  // namespace prism::quant
