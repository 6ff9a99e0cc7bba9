#include "media/mel_frames.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "prism/error.hpp"

namespace prism::media::detail {
namespace {

constexpr int pad = mel_n_fft / 2;   // 200 samples mirrored at each window edge
constexpr double mel_floor = 1e-10;  // transformers' and Whisper's clamp before log10
constexpr int max_mel_bins = 256;

// The window's sample at `index` (-200 .. 480199) after numpy's "reflect" padding of the
// window zero-padded to 480000 samples.
double padded_sample(std::span<const float> window, int index) {
    if (index < 0) index = -index;
    if (index >= mel_window_samples) index = 2 * mel_window_samples - 2 - index;
    return static_cast<std::size_t>(index) < window.size()
               ? static_cast<double>(window[static_cast<std::size_t>(index)])
               : 0.0;
}

}  // namespace

int mel_frame_samples_needed(int frame) {
    // Frame 0 mirrors x[200..1], so it needs x[200]; later frames end at 160 t + 200.
    if (frame == 0) return pad + 1;
    return std::min(frame * mel_hop + pad, mel_window_samples);
}

MelFrameComputer::MelFrameComputer(int n_mel) {
    if (n_mel < 1 || n_mel > max_mel_bins) {
        throw Error("unsupported number of mel bins " + std::to_string(n_mel) + " (1.." +
                    std::to_string(max_mel_bins) + ")");
    }
    filters_ = slaney_mel_filters(n_mel);
    // Periodic Hann: numpy.hanning(401)[:-1] = 0.5 - 0.5 cos(2 pi n / 400).
    for (int n = 0; n < mel_n_fft; ++n) {
        hann_[static_cast<std::size_t>(n)] =
            0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * n / mel_n_fft);
    }
}

void MelFrameComputer::compute(std::span<const float> window, int frame, float* out) {
    const int start = frame * mel_hop - pad;
    const bool inside = start >= 0 && start + mel_n_fft <= static_cast<int>(window.size()) &&
                        start + mel_n_fft <= mel_window_samples;
    for (int n = 0; n < mel_n_fft; ++n) {
        const double x = inside ? static_cast<double>(window[static_cast<std::size_t>(start + n)])
                                : padded_sample(window, start + n);
        frame_[static_cast<std::size_t>(n)] = x * hann_[static_cast<std::size_t>(n)];
    }
    spectrum_.compute(frame_, power_);
    for (std::size_t m = 0; m < filters_.size(); ++m) {
        const MelFilter& filter = filters_[m];
        double sum = 0;
        for (std::size_t i = 0; i < filter.weights.size(); ++i) {
            sum += filter.weights[i] * power_[static_cast<std::size_t>(filter.first_bin) + i];
        }
        out[m] = static_cast<float>(std::log10(std::max(sum, mel_floor)));
    }
}

MelSpectrogram normalise_mel_window(std::span<const float> raw_frames, int n_mel) {
    MelSpectrogram mel;
    mel.n_mel = n_mel;
    mel.n_frames = mel_window_frames;
    mel.data.resize(static_cast<std::size_t>(n_mel) * mel_window_frames);
    const float peak = *std::max_element(raw_frames.begin(), raw_frames.end());
    const float floor = peak - 8.0f;
    for (int t = 0; t < mel_window_frames; ++t) {
        for (int m = 0; m < n_mel; ++m) {
            const float v =
                std::max(raw_frames[static_cast<std::size_t>(t) * static_cast<std::size_t>(n_mel) +
                                    static_cast<std::size_t>(m)],
                         floor);
            mel.data[static_cast<std::size_t>(m) * mel_window_frames +
                     static_cast<std::size_t>(t)] = (v + 4.0f) / 4.0f;
        }
    }
    return mel;
}

}  // namespace prism::media::detail
