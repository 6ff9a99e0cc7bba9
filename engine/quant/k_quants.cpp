// Decoders of the 256-element K-quant super-blocks. Byte offsets follow the block structs of
// ggml-common.h; the element order of each type is spelled out next to its loop because it
// is not simply "low nibbles, then high nibbles".

#include <array>

#include "quant/block_decoders.hpp"

namespace prism::quant {
namespace {

constexpr std::size_t kSuper = 256;

struct ScaleMin {
    int scale;
    int min;
};

// The eight 6-bit (scale, min) pairs of Q4_K/Q5_K, packed in 12 bytes: bytes 0-3 hold scales
// 0-3 and bytes 4-7 mins 0-3 in their low six bits; pairs 4-7 take their low four bits from
// bytes 8-11 and their top two bits from the spare top bits of bytes 0-7.
std::array<ScaleMin, 8> unpack_scale_min(const std::byte* b) {
    std::array<ScaleMin, 8> out{};
    for (std::size_t j = 0; j < 4; ++j) {
        out[j] = {byte_at(b, j) & 63, byte_at(b, j + 4) & 63};
        out[j + 4] = {(byte_at(b, j + 8) & 0xF) | (byte_at(b, j) >> 6) << 4,
                      (byte_at(b, j + 8) >> 4) | (byte_at(b, j + 4) >> 6) << 4};
    }
    return out;
}

// Q3_K's sixteen signed 6-bit scales: low four bits from bytes 0-7 (low nibbles for scales
// 0-7, high nibbles for 8-15), top two bits from bytes 8-11.
std::array<int, 16> unpack_q3_k_scales(const std::byte* b) {
    std::array<int, 16> out{};
    for (std::size_t i = 0; i < 16; ++i) {
        const int low = i < 8 ? byte_at(b, i) & 0xF : byte_at(b, i - 8) >> 4;
        const int high = (byte_at(b, 8 + i % 4) >> (2 * (i / 4))) & 3;
        out[i] = (low | high << 4) - 32;
    }
    return out;
}

}  // namespace

// Q2_K {scales[16], qs[64], d, dmin}: 16 groups of 16. Group g lives in the 2-bit field
// (2 * ((g % 8) / 2)) of qs[32 * (g / 8) + 16 * (g % 2) + l].
void decode_q2_k(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 84, dst += kSuper) {
        const std::byte* scales = src;
        const std::byte* qs = src + 16;
        const float d = half_at(src + 80);
        const float dmin = half_at(src + 82);
        for (std::size_t g = 0; g < 16; ++g) {
            const int sc = byte_at(scales, g);
            const float dl = d * static_cast<float>(sc & 0xF);
            const float ml = dmin * static_cast<float>(sc >> 4);
            const std::byte* q = qs + 32 * (g / 8) + 16 * (g % 2);
            const unsigned shift = 2 * ((g % 8) / 2);
            float* y = dst + 16 * g;
            for (std::size_t l = 0; l < 16; ++l) {
                y[l] = dl * static_cast<float>((byte_at(q, l) >> shift) & 3) - ml;
            }
        }
    }
}

// Q3_K {hmask[32], qs[64], scales[12], d}: as Q2_K for the low two bits; the third bit of
// group g is bit (g / 2) of hmask[16 * (g % 2) + l], and a clear bit means "subtract 4".
void decode_q3_k(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 110, dst += kSuper) {
        const std::byte* hmask = src;
        const std::byte* qs = src + 32;
        const auto scales = unpack_q3_k_scales(src + 96);
        const float d = half_at(src + 108);
        for (std::size_t g = 0; g < 16; ++g) {
            const float dl = d * static_cast<float>(scales[g]);
            const std::byte* q = qs + 32 * (g / 8) + 16 * (g % 2);
            const std::byte* hm = hmask + 16 * (g % 2);
            const unsigned shift = 2 * ((g % 8) / 2);
            const unsigned hbit = static_cast<unsigned>(g / 2);
            float* y = dst + 16 * g;
            for (std::size_t l = 0; l < 16; ++l) {
                const int low = (byte_at(q, l) >> shift) & 3;
                const int offset = ((byte_at(hm, l) >> hbit) & 1) ? 0 : 4;
                y[l] = dl * static_cast<float>(low - offset);
            }
        }
    }
}

// Q4_K {d, dmin, scales[12], qs[128]}: 8 sub-blocks of 32; sub-block s is the low (s even)
// or high (s odd) nibble of qs[32 * (s / 2) + l].
void decode_q4_k(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 144, dst += kSuper) {
        const float d = half_at(src);
        const float dmin = half_at(src + 2);
        const auto sm = unpack_scale_min(src + 4);
        const std::byte* qs = src + 16;
        for (std::size_t s = 0; s < 8; ++s) {
            const float dl = d * static_cast<float>(sm[s].scale);
            const float ml = dmin * static_cast<float>(sm[s].min);
            const std::byte* q = qs + 32 * (s / 2);
            const unsigned shift = 4 * (s % 2);
            float* y = dst + 32 * s;
            for (std::size_t l = 0; l < 32; ++l) {
                y[l] = dl * static_cast<float>((byte_at(q, l) >> shift) & 0xF) - ml;
            }
        }
    }
}

// Q5_K {d, dmin, scales[12], qh[32], qs[128]}: Q4_K plus a fifth bit, bit s of qh[l].
void decode_q5_k(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 176, dst += kSuper) {
        const float d = half_at(src);
        const float dmin = half_at(src + 2);
        const auto sm = unpack_scale_min(src + 4);
        const std::byte* qh = src + 16;
        const std::byte* qs = src + 48;
        for (std::size_t s = 0; s < 8; ++s) {
            const float dl = d * static_cast<float>(sm[s].scale);
            const float ml = dmin * static_cast<float>(sm[s].min);
            const std::byte* q = qs + 32 * (s / 2);
            const unsigned shift = 4 * (s % 2);
            float* y = dst + 32 * s;
            for (std::size_t l = 0; l < 32; ++l) {
                const int value = ((byte_at(q, l) >> shift) & 0xF) | ((byte_at(qh, l) >> s) & 1)
                                                                         << 4;
                y[l] = dl * static_cast<float>(value) - ml;
            }
        }
    }
}

// Q6_K {ql[128], qh[64], scales[16] (int8), d}: two halves of 128; in half h, run k of 32
// takes its low four bits from nibble (k / 2) of ql[64h + 32 * (k % 2) + l] and its top two
// bits from field k of qh[32h + l]. Scales cover groups of 16.
void decode_q6_k(const std::byte* src, std::size_t blocks, float* dst) {
    for (std::size_t b = 0; b < blocks; ++b, src += 210, dst += kSuper) {
        const std::byte* ql = src;
        const std::byte* qh = src + 128;
        const std::byte* scales = src + 192;
        const float d = half_at(src + 208);
        for (std::size_t run = 0; run < 8; ++run) {
            const std::size_t h = run / 4;
            const std::size_t k = run % 4;
            const std::byte* lo = ql + 64 * h + 32 * (k % 2);
            const std::byte* hi = qh + 32 * h;
            const unsigned lo_shift = static_cast<unsigned>(4 * (k / 2));
            const unsigned hi_shift = static_cast<unsigned>(2 * k);
            for (std::size_t half = 0; half < 2; ++half) {
                const std::size_t g = 2 * run + half;
                const auto sc = static_cast<std::int8_t>(byte_at(scales, g));
                const float dl = d * static_cast<float>(sc);
                float* y = dst + 16 * g;
                for (std::size_t i = 0; i < 16; ++i) {
                    const std::size_t l = 16 * half + i;
                    const int value = ((byte_at(lo, l) >> lo_shift) & 0xF) |
                                      ((byte_at(hi, l) >> hi_shift) & 3) << 4;
                    y[i] = dl * static_cast<float>(value - 32);
                }
            }
        }
    }
}

}  // namespace prism::quant
