#include "media/mel_fft.hpp"

#include <cmath>
#include <numbers>

#include "prism/error.hpp"

namespace prism::media::detail {

PowerSpectrum400::PowerSpectrum400() {
    AVTXContext* context = nullptr;
    const double scale = 1.0;
    const int rc = av_tx_init(&context, &transform_, AV_TX_DOUBLE_RDFT, 0, sub_length, &scale,
                              AV_TX_UNALIGNED);
    if (rc < 0 || context == nullptr) throw Error("FFmpeg's av_tx has no 80-point real transform");
    tx_.reset(context);
    for (int r = 0; r < split; ++r) {
        for (int k = 0; k < power_spectrum_bins; ++k) {
            // k * r < 1000: the angle is exact before the multiplication by pi.
            const double angle = -2.0 * std::numbers::pi * (k * r % 400) / 400.0;
            twiddle_[static_cast<std::size_t>((r * power_spectrum_bins + k) * 2)] = std::cos(angle);
            twiddle_[static_cast<std::size_t>((r * power_spectrum_bins + k) * 2 + 1)] =
                std::sin(angle);
        }
    }
}

void PowerSpectrum400::compute(const std::array<double, 400>& frame,
                               std::array<double, power_spectrum_bins>& power) {
    for (int r = 0; r < split; ++r) {
        for (int m = 0; m < sub_length; ++m) {
            sub_input_[static_cast<std::size_t>(m)] =
                frame[static_cast<std::size_t>(split * m + r)];
        }
        transform_(tx_.get(), sub_output_[static_cast<std::size_t>(r)].data(), sub_input_.data(),
                   sizeof(double));
    }
    for (int k = 0; k < power_spectrum_bins; ++k) {
        // Y_r[j] for j > 40 is the conjugate of Y_r[80 - j] (real input).
        const int j = k % sub_length;
        const bool mirrored = j > sub_length / 2;
        const std::size_t bin = static_cast<std::size_t>(mirrored ? sub_length - j : j) * 2;
        double re = 0, im = 0;
        for (int r = 0; r < split; ++r) {
            const auto& y = sub_output_[static_cast<std::size_t>(r)];
            const double y_re = y[bin];
            const double y_im = mirrored ? -y[bin + 1] : y[bin + 1];
            const std::size_t w = static_cast<std::size_t>((r * power_spectrum_bins + k) * 2);
            re += twiddle_[w] * y_re - twiddle_[w + 1] * y_im;
            im += twiddle_[w] * y_im + twiddle_[w + 1] * y_re;
        }
        power[static_cast<std::size_t>(k)] = re * re + im * im;
    }
}

}  // namespace prism::media::detail
