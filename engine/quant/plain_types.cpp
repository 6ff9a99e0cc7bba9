#include <cstring>

#include "quant/block_decoders.hpp"

namespace prism::quant {

void decode_f32(const std::byte* src, std::size_t elements, float* dst) {
    // A copy of the bits: NaN payloads and signalling NaNs pass through untouched.
    std::memcpy(dst, src, elements * sizeof(float));
}

void decode_f16(const std::byte* src, std::size_t elements, float* dst) {
    for (std::size_t i = 0; i < elements; ++i) dst[i] = half_at(src + 2 * i);
}

void decode_bf16(const std::byte* src, std::size_t elements, float* dst) {
    for (std::size_t i = 0; i < elements; ++i) {
        std::uint16_t bits;
        std::memcpy(&bits, src + 2 * i, sizeof bits);
        dst[i] = bf16_to_float(bits);
    }
}

}  // namespace prism::quant
