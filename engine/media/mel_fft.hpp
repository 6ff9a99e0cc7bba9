#pragma once

// The power spectrum of one 400-sample frame, |X[k]|^2 for k = 0..200, with FFmpeg's av_tx.
//
// FFmpeg 5.1's av_tx has fast transforms for lengths 2^n and 3, 5, 15 times 2^n, but 400 =
// 5 * 5 * 16 falls back to a naive DFT that calls sin and cos for every term (about 0.6 ms a
// frame, 2 s per 30-s window). So the 400-point transform is split once by decimation in time:
// X[k] = sum over r = 0..4 of e^(-2 pi i k r / 400) * Y_r[k mod 80], where Y_r is av_tx's
// 80-point real transform of x[5m + r]. Everything is double precision.

#include <array>
#include <memory>

extern "C" {
#include <libavutil/tx.h>
}

namespace prism::media::detail {

inline constexpr int power_spectrum_bins = 201;

class PowerSpectrum400 {
  public:
    PowerSpectrum400();

    // power[k] = |DFT(frame)[k]|^2, k = 0..200.
    void compute(const std::array<double, 400>& frame,
                 std::array<double, power_spectrum_bins>& power);

  private:
    static constexpr int split = 5;
    static constexpr int sub_length = 80;

    struct TxFree {
        void operator()(AVTXContext* p) const { av_tx_uninit(&p); }
    };
    std::unique_ptr<AVTXContext, TxFree> tx_;
    av_tx_fn transform_ = nullptr;
    // twiddle[r * 201 + k] = e^(-2 pi i k r / 400) as (re, im).
    std::array<double, split * power_spectrum_bins * 2> twiddle_{};
    std::array<double, sub_length> sub_input_{};
    // sub_output_[r]: bins 0..40 of Y_r as (re, im) pairs.
    std::array<std::array<double, sub_length + 2>, split> sub_output_{};
};

}  // namespace prism::media::detail
