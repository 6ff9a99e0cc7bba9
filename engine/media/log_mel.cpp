// Whole-signal log-mel: each 30-s window framed and normalised on its own.

#include "prism/media/log_mel.hpp"

#include <algorithm>

#include "media/mel_frames.hpp"

namespace prism::media {
namespace {

std::size_t window_count(std::size_t samples) {
    return (samples + mel_window_samples - 1) / mel_window_samples;
}

std::span<const float> window_of(std::span<const float> samples, std::size_t w) {
    const std::size_t start = w * mel_window_samples;
    return samples.subspan(start,
                           std::min<std::size_t>(mel_window_samples, samples.size() - start));
}

// The raw frames of one window, frame-major.
std::vector<float> raw_window_frames(detail::MelFrameComputer& frames,
                                     std::span<const float> window) {
    const auto n_mel = static_cast<std::size_t>(frames.n_mel());
    std::vector<float> raw(n_mel * mel_window_frames);
    for (int t = 0; t < mel_window_frames; ++t) {
        frames.compute(window, t, raw.data() + static_cast<std::size_t>(t) * n_mel);
    }
    return raw;
}

}  // namespace

LogMelSpectrogram::LogMelSpectrogram(int n_mel)
    : frames_(std::make_unique<detail::MelFrameComputer>(n_mel)) {}

LogMelSpectrogram::~LogMelSpectrogram() = default;

int LogMelSpectrogram::n_mel() const {
    return frames_->n_mel();
}

std::vector<MelSpectrogram> LogMelSpectrogram::windows(std::span<const float> samples) {
    std::vector<MelSpectrogram> out;
    for (std::size_t w = 0; w < window_count(samples.size()); ++w) {
        out.push_back(detail::normalise_mel_window(
            raw_window_frames(*frames_, window_of(samples, w)), frames_->n_mel()));
    }
    return out;
}

MelSpectrogram LogMelSpectrogram::raw(std::span<const float> samples) {
    const std::size_t windows = window_count(samples.size());
    const auto n_mel = static_cast<std::size_t>(frames_->n_mel());
    MelSpectrogram mel;
    mel.n_mel = frames_->n_mel();
    mel.n_frames = static_cast<int>(windows * mel_window_frames);
    mel.data.resize(n_mel * static_cast<std::size_t>(mel.n_frames));
    for (std::size_t w = 0; w < windows; ++w) {
        const std::vector<float> raw = raw_window_frames(*frames_, window_of(samples, w));
        for (std::size_t t = 0; t < mel_window_frames; ++t) {
            for (std::size_t m = 0; m < n_mel; ++m) {
                mel.data[m * static_cast<std::size_t>(mel.n_frames) + w * mel_window_frames + t] =
                    raw[t * n_mel + m];
            }
        }
    }
    return mel;
}

}  // namespace prism::media
