// The 400-point power spectrum (5 av_tx transforms of 80 points, combined) against a direct DFT
// and against av_tx's own 400-point transform, which FFmpeg 5.1 computes naively.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "media/mel_fft.hpp"

namespace prism::media::detail {
namespace {

std::array<double, 400> random_frame(unsigned seed) {
    std::mt19937 random(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    std::array<double, 400> frame{};
    for (double& x : frame) x = uniform(random);
    return frame;
}

TEST(LogMelFft, PowerSpectrumMatchesADirectDft) {
    PowerSpectrum400 spectrum;
    for (unsigned seed : {1u, 2u, 3u}) {
        const auto frame = random_frame(seed);
        std::array<double, power_spectrum_bins> power{};
        spectrum.compute(frame, power);
        const long double pi = std::acos(-1.0L);
        for (int k = 0; k < power_spectrum_bins; ++k) {
            long double re = 0, im = 0;
            for (int n = 0; n < 400; ++n) {
                const long double angle = -2 * pi * ((k * n) % 400) / 400;
                re += frame[std::size_t(n)] * std::cos(angle);
                im += frame[std::size_t(n)] * std::sin(angle);
            }
            const double expected = double(re * re + im * im);
            ASSERT_NEAR(power[std::size_t(k)], expected, 1e-10 * (1 + expected)) << k;
        }
    }
}

TEST(LogMelFft, PowerSpectrumMatchesAvTxAtFullLength) {
    AVTXContext* context = nullptr;
    av_tx_fn transform = nullptr;
    const double scale = 1.0;
    ASSERT_EQ(av_tx_init(&context, &transform, AV_TX_DOUBLE_RDFT, 0, 400, &scale, 0), 0);
    auto frame = random_frame(4);
    alignas(64) std::array<double, 400> input = frame;
    alignas(64) std::array<double, 402> output{};
    transform(context, output.data(), input.data(), sizeof(double));
    av_tx_uninit(&context);
    PowerSpectrum400 spectrum;
    std::array<double, power_spectrum_bins> power{};
    spectrum.compute(frame, power);
    for (std::size_t k = 0; k < power.size(); ++k) {
        const double expected =
            output[2 * k] * output[2 * k] + output[2 * k + 1] * output[2 * k + 1];
        ASSERT_NEAR(power[k], expected, 1e-9 * (1 + expected)) << k;
    }
}

}  // namespace
}  // namespace prism::media::detail
