// Streaming log-mel: frames as their samples arrive, normalised windows as they complete.

#include <utility>

#include "media/mel_frames.hpp"
#include "prism/media/log_mel.hpp"

namespace prism::media {

StreamingLogMel::StreamingLogMel(int n_mel)
    : frames_(std::make_unique<detail::MelFrameComputer>(n_mel)) {
    window_samples_.reserve(mel_window_samples);
}

StreamingLogMel::~StreamingLogMel() = default;

int StreamingLogMel::n_mel() const {
    return frames_->n_mel();
}

void StreamingLogMel::push(std::span<const float> samples) {
    pushed_ += samples.size();
    while (!samples.empty()) {
        const std::size_t room = mel_window_samples - window_samples_.size();
        const std::size_t n = std::min(room, samples.size());
        window_samples_.insert(window_samples_.end(), samples.begin(),
                               samples.begin() + static_cast<std::ptrdiff_t>(n));
        samples = samples.subspan(n);
        compute_ready_frames(false);
        if (window_samples_.size() == mel_window_samples) complete_window();
    }
}

void StreamingLogMel::finish() {
    if (!window_samples_.empty()) {
        compute_ready_frames(true);
        complete_window();
    }
    pushed_ = 0;
}

void StreamingLogMel::compute_ready_frames(bool ended) {
    const auto n_mel = static_cast<std::size_t>(frames_->n_mel());
    const auto available = static_cast<int>(window_samples_.size());
    while (next_frame_ < mel_window_frames &&
           (ended || detail::mel_frame_samples_needed(next_frame_) <= available)) {
        const std::size_t at = window_frames_.size();
        window_frames_.resize(at + n_mel);
        frames_->compute(window_samples_, next_frame_, window_frames_.data() + at);
        raw_out_.insert(raw_out_.end(), window_frames_.begin() + static_cast<std::ptrdiff_t>(at),
                        window_frames_.end());
        ++next_frame_;
    }
}

void StreamingLogMel::complete_window() {
    windows_out_.push_back(detail::normalise_mel_window(window_frames_, frames_->n_mel()));
    window_samples_.clear();
    window_frames_.clear();
    next_frame_ = 0;
}

std::vector<float> StreamingLogMel::take_raw_frames() {
    return std::exchange(raw_out_, {});
}

std::vector<MelSpectrogram> StreamingLogMel::take_windows() {
    return std::exchange(windows_out_, {});
}

}  // namespace prism::media
