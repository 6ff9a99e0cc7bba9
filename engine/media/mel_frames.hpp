#pragma once

// One raw log-mel frame of a 30-s window (see prism/media/log_mel.hpp): the framing with
// reflect and zero padding, the Hann window, the power spectrum, the mel filters and log10.
// Both the whole-signal and the streaming form compute every frame here, so that their frames
// are the same to the bit.

#include <array>
#include <span>
#include <vector>

#include "media/mel_fft.hpp"
#include "media/mel_filters.hpp"
#include "prism/media/log_mel.hpp"

namespace prism::media::detail {

// How many of a window's first samples frame t covers (including those it mirrors).
int mel_frame_samples_needed(int frame);

class MelFrameComputer {
  public:
    explicit MelFrameComputer(int n_mel);

    int n_mel() const { return static_cast<int>(filters_.size()); }

    // The raw log-mel of frame `frame` (0..2999) of a window that starts with `window`
    // (at most 480000 samples; the rest of the window is zeros), into out[0..n_mel).
    void compute(std::span<const float> window, int frame, float* out);

  private:
    std::vector<MelFilter> filters_;
    std::array<double, mel_n_fft> hann_{};
    std::array<double, mel_n_fft> frame_{};
    std::array<double, power_spectrum_bins> power_{};
    PowerSpectrum400 spectrum_;
};

// A window's raw frames (frame-major, [3000][n_mel]) normalised into [n_mel, 3000]:
// max(v, window max - 8), then (v + 4) / 4, in float as transformers does.
MelSpectrogram normalise_mel_window(std::span<const float> raw_frames, int n_mel);

}  // namespace prism::media::detail
