#include "prism/half.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>

namespace prism {
namespace {

TEST(Half, EveryHalfRoundTripsThroughFloat) {
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        const float f = half_to_float(static_cast<std::uint16_t>(h));
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(half_to_float(float_to_half(f))));
        } else {
            EXPECT_EQ(float_to_half(f), h) << std::hex << h;
        }
    }
}

TEST(Half, KnownValues) {
    EXPECT_EQ(float_to_half(1.0f), 0x3C00);
    EXPECT_EQ(float_to_half(-2.0f), 0xC000);
    EXPECT_EQ(float_to_half(65504.0f), 0x7BFF);
    EXPECT_EQ(float_to_half(1e6f), 0x7C00);                    // overflow to infinity
    EXPECT_EQ(float_to_half(5.960464477539063e-08f), 0x0001);  // smallest subnormal
    EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3C00);      // tie rounds to even
    EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3C02);
    EXPECT_FLOAT_EQ(half_to_float(0x3555), 0.333251953125f);
}

TEST(BFloat16, RoundsToNearestEven) {
    EXPECT_EQ(float_to_bf16(1.0f), 0x3F80);
    EXPECT_EQ(bf16_to_float(0x3F80), 1.0f);
    EXPECT_EQ(float_to_bf16(std::bit_cast<float>(0x3F808000u)), 0x3F80);  // tie, even stays
    EXPECT_EQ(float_to_bf16(std::bit_cast<float>(0x3F818000u)), 0x3F82);  // tie, odd rounds up
}

}  // namespace
}  // namespace prism
