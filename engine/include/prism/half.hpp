#pragma once

#include <cstdint>

namespace prism {

// IEEE 754 binary16 and bfloat16 conversions, bit-exact with the C library's rounding
// (round to nearest, ties to even; NaN stays NaN).
float half_to_float(std::uint16_t bits);
std::uint16_t float_to_half(float value);
float bf16_to_float(std::uint16_t bits);
std::uint16_t float_to_bf16(float value);

}  // namespace prism
