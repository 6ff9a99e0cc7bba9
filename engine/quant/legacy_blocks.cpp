// Decoders of the 32-element block types. In every one of them byte j of qs holds element j
// in its low nibble and element j + 16 in its high nibble.

#include <array>

#include "quant/block_decoders.hpp"

namespace prism::quant {
namespace {

constexpr std::size_t kBlock = 32;
constexpr std::size_t kHalf = kBlock / 2;

// Bit j of Q5_0/Q5_1's qh word is the fifth bit of element j.
std::uint32_t high_bits_at(const std::byte* p) {
    std::uint32_t bits;
    std::memcpy(&bits, p, sizeof bits);
    return bits;
}

// kvalues_iq4nl of ggml-common.h.
constexpr std::array<float, 16> kIq4nlValues = {-127, -104, -83, -65, -49, -35, -22, -10,
                                                1,    13,   25,  38,  53,  69,  89,  113};

}  // namespace

void decode_q4_0(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 18, dst += kBlock) {
        const float d = half_at(src);
        const std::byte* qs = src + 2;
        for (std::size_t j = 0; j < kHalf; ++j) {
            const int q = byte_at(qs, j);
            dst[j] = d * static_cast<float>((q & 0xF) - 8);
            dst[j + kHalf] = d * static_cast<float>((q >> 4) - 8);
        }
    }
}

void decode_q4_1(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 20, dst += kBlock) {
        const float d = half_at(src);
        const float m = half_at(src + 2);
        const std::byte* qs = src + 4;
        for (std::size_t j = 0; j < kHalf; ++j) {
            const int q = byte_at(qs, j);
            dst[j] = d * static_cast<float>(q & 0xF) + m;
            dst[j + kHalf] = d * static_cast<float>(q >> 4) + m;
        }
    }
}

void decode_q5_0(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 22, dst += kBlock) {
        const float d = half_at(src);
        const std::uint32_t qh = high_bits_at(src + 2);
        const std::byte* qs = src + 6;
        for (std::size_t j = 0; j < kHalf; ++j) {
            const int q = byte_at(qs, j);
            const int lo = (q & 0xF) | static_cast<int>((qh >> j) & 1u) << 4;
            const int hi = (q >> 4) | static_cast<int>((qh >> (j + kHalf)) & 1u) << 4;
            dst[j] = d * static_cast<float>(lo - 16);
            dst[j + kHalf] = d * static_cast<float>(hi - 16);
        }
    }
}

void decode_q5_1(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 24, dst += kBlock) {
        const float d = half_at(src);
        const float m = half_at(src + 2);
        const std::uint32_t qh = high_bits_at(src + 4);
        const std::byte* qs = src + 8;
        for (std::size_t j = 0; j < kHalf; ++j) {
            const int q = byte_at(qs, j);
            const int lo = (q & 0xF) | static_cast<int>((qh >> j) & 1u) << 4;
            const int hi = (q >> 4) | static_cast<int>((qh >> (j + kHalf)) & 1u) << 4;
            dst[j] = d * static_cast<float>(lo) + m;
            dst[j + kHalf] = d * static_cast<float>(hi) + m;
        }
    }
}

void decode_q8_0(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 34, dst += kBlock) {
        const float d = half_at(src);
        for (std::size_t j = 0; j < kBlock; ++j) {
            dst[j] = d * static_cast<float>(static_cast<std::int8_t>(byte_at(src + 2, j)));
        }
    }
}

void decode_iq4_nl(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 18, dst += kBlock) {
        const float d = half_at(src);
        const std::byte* qs = src + 2;
        for (std::size_t j = 0; j < kHalf; ++j) {
            const int q = byte_at(qs, j);
            dst[j] = d * kIq4nlValues[static_cast<std::size_t>(q & 0xF)];
            dst[j + kHalf] = d * kIq4nlValues[static_cast<std::size_t>(q >> 4)];
        }
    }
}

}  // namespace prism::quant
