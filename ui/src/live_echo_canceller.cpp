#include "live_echo_canceller.hpp"

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "live_echo_reference.hpp"

namespace prism::ui {
namespace {

constexpr std::int64_t kSettleSamples = FarEndReference::kSampleRate;      // 1 s
constexpr std::int64_t kJumpSamples = FarEndReference::kSampleRate / 100;  // 10 ms
// Longer than any event-loop delay that is not a gap in the sound.
constexpr std::int64_t kGapSamples = FarEndReference::kSampleRate / 2;  // 500 ms

std::int16_t to_pcm(float x) {
    return static_cast<std::int16_t>(std::clamp(std::lround(x * 32768.0f), -32768L, 32767L));
}

double energy(std::span<const std::int16_t> x) {
    double e = 0;
    for (std::int16_t s : x) e += double(s) * s;
    return e;
}

double from_db(double db) {
    return std::pow(10.0, db / 10);
}

}  // namespace

void EchoCanceller::EchoDeleter::operator()(SpeexEchoState_* s) const {
    speex_echo_state_destroy(s);
}

void EchoCanceller::PreprocessDeleter::operator()(SpeexPreprocessState_* s) const {
    speex_preprocess_state_destroy(s);
}

EchoCanceller::EchoCanceller(int tail_ms) : tail_samples_(tail_ms * kSampleRate / 1000) {
    if (tail_ms <= 0) throw std::invalid_argument("echo tail must be positive");
    echo_.reset(speex_echo_state_init(kFrameSamples, tail_samples_));
    preprocess_.reset(speex_preprocess_state_init(kFrameSamples, kSampleRate));
    if (!echo_ || !preprocess_) throw std::runtime_error("speexdsp could not allocate its state");
    int rate = kSampleRate;
    speex_echo_ctl(echo_.get(), SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
    speex_preprocess_ctl(preprocess_.get(), SPEEX_PREPROCESS_SET_ECHO_STATE, echo_.get());
}

EchoCanceller::~EchoCanceller() = default;

void EchoCanceller::process_frame(std::span<const std::int16_t> mic,
                                  std::span<const std::int16_t> far, std::span<std::int16_t> out) {
    if (mic.size() != kFrameSamples || far.size() != kFrameSamples || out.size() != kFrameSamples)
        throw std::invalid_argument("echo canceller frames are 256 samples");
    const bool far_silent =
        std::all_of(far.begin(), far.end(), [](std::int16_t s) { return s == 0; });
    silent_frames_ = far_silent ? silent_frames_ + 1 : 0;
    if (silent_frames_ * kFrameSamples > tail_samples_) {
        far_energies_.clear();
        hangover_ = 0;
        std::copy(mic.begin(), mic.end(), out.begin());
        return;
    }
    std::int16_t cleaned[kFrameSamples];
    speex_echo_cancellation(echo_.get(), mic.data(), far.data(), cleaned);
    std::int16_t filtered[kFrameSamples];
    std::copy(std::begin(cleaned), std::end(cleaned), std::begin(filtered));
    speex_preprocess_run(preprocess_.get(), cleaned);
    if (!learned_ && !far_silent) note_learning(mic, cleaned);
    if (!learned_) {
        if (user_talks(energy(far), energy(cleaned)))
            std::copy(std::begin(filtered), std::end(filtered), out.begin());
        else
            std::fill(out.begin(), out.end(), std::int16_t{0});
        return;
    }
    std::copy(std::begin(cleaned), std::end(cleaned), out.begin());
}

void EchoCanceller::note_learning(std::span<const std::int16_t> mic,
                                  std::span<const std::int16_t> cleaned) {
    // Half a second of frames (31 of 16 ms) in the smoothing.
    constexpr double kKeep = 30.0 / 31.0;
    mic_energy_ = kKeep * mic_energy_ + (1 - kKeep) * energy(mic);
    cleaned_energy_ = kKeep * cleaned_energy_ + (1 - kKeep) * energy(cleaned);
    ++heard_frames_;
    const std::int64_t heard_ms = heard_frames_ * kFrameSamples * 1000 / kSampleRate;
    const bool quiet = cleaned_energy_ * from_db(kLearnedDb) <= mic_energy_;
    learned_ = heard_ms >= kMaxLearningMs || (heard_ms >= kMinLearningMs && quiet);
}

bool EchoCanceller::user_talks(double far_energy, double cleaned_energy) {
    // The echo in this frame comes from far-end sound up to a tail earlier.
    far_energies_.push_back(far_energy);
    while (static_cast<std::int64_t>(far_energies_.size()) * kFrameSamples >
           tail_samples_ + kFrameSamples)
        far_energies_.pop_front();
    const double reference =
        std::max(1.0, *std::max_element(far_energies_.begin(), far_energies_.end()));
    double bound = 1.0;
    if (static_cast<int>(residual_ratios_.size()) >= kResidualFrames) {
        std::array<double, kResidualFrames> ratios;
        std::copy(residual_ratios_.begin(), residual_ratios_.end(), ratios.begin());
        const auto rank = ratios.end() - 1 - kResidualBurstFrames;
        std::nth_element(ratios.begin(), rank, ratios.end());
        bound = *rank;
    }
    const double ratio = cleaned_energy / reference;
    // Full scale is a frame of samples at 32768.
    static const double floor = double(kFrameSamples) * 32768.0 * 32768.0 * from_db(kUserFloorDbfs);
    const bool audible = cleaned_energy > floor;
    const double threshold = bound * from_db(kUserMarginDb);
    if (audible && ratio > threshold) {
        hangover_ = kHangoverFrames;
        ++user_frames_;
        return true;
    }
    if (audible)
        closest_to_user_db_ = std::max(closest_to_user_db_, 10.0 * std::log10(ratio / threshold));
    if (hangover_ > 0) {
        --hangover_;
        return true;
    }
    residual_ratios_.push_back(ratio);
    if (static_cast<int>(residual_ratios_.size()) > kResidualFrames) residual_ratios_.pop_front();
    return false;
}

std::vector<std::int16_t> EchoCanceller::process(std::span<const std::int16_t> mic,
                                                 std::span<const std::int16_t> far) {
    if (mic.size() != far.size() || mic.size() % kFrameSamples != 0)
        throw std::invalid_argument("echo canceller input: equal lengths, whole frames");
    std::vector<std::int16_t> out(mic.size());
    for (std::size_t i = 0; i < mic.size(); i += kFrameSamples)
        process_frame(mic.subspan(i, kFrameSamples), far.subspan(i, kFrameSamples),
                      std::span(out).subspan(i, kFrameSamples));
    return out;
}

MicrophoneEchoFilter::MicrophoneEchoFilter(std::shared_ptr<FarEndReference> reference, int tail_ms)
    : reference_(std::move(reference)), canceller_(tail_ms) {}

MicrophoneEchoFilter::~MicrophoneEchoFilter() = default;

std::vector<float> MicrophoneEchoFilter::push(std::span<const float> chunk,
                                              std::int64_t arrived_us) {
    std::vector<float> out;
    if (chunk.empty()) return out;
    // Far later than its place after the last chunk: the microphone stalled or live mode was
    // off in between. The missing stretch is counted as if pushed, so the anchor stays and
    // the microphone moves only by this chunk's own delay (one shift for the filter to follow,
    // not a second of new estimates).
    const std::int64_t behind = FarEndReference::index_at(arrived_us) - pushed_ -
                                static_cast<std::int64_t>(chunk.size()) - anchor_;
    if (anchored_ && behind > kGapSamples) {
        pushed_ += behind;
        pending_.clear();
    }
    pushed_ += static_cast<std::int64_t>(chunk.size());
    // Every move of the anchor shifts the microphone against the reference, and the filter
    // must learn the echo path again: it settles over the first second, then moves only for
    // a chunk that came impossibly early (the microphone's clock runs ahead of this one).
    const std::int64_t anchor = FarEndReference::index_at(arrived_us) - pushed_;
    if (!anchored_ || (pushed_ <= kSettleSamples && anchor < anchor_) ||
        anchor < anchor_ - kJumpSamples)
        anchor_ = anchor;
    anchored_ = true;
    // Timeline index of pending_[0].
    std::int64_t at = anchor_ + pushed_ - static_cast<std::int64_t>(chunk.size()) -
                      static_cast<std::int64_t>(pending_.size());
    for (float x : chunk) pending_.push_back(to_pcm(x));
    const std::size_t frames = pending_.size() / EchoCanceller::kFrameSamples;
    out.reserve(frames * EchoCanceller::kFrameSamples);
    std::int16_t far[EchoCanceller::kFrameSamples];
    std::int16_t cleaned[EchoCanceller::kFrameSamples];
    for (std::size_t f = 0; f < frames; ++f) {
        const std::span<const std::int16_t> mic(pending_.data() + f * EchoCanceller::kFrameSamples,
                                                EchoCanceller::kFrameSamples);
        reference_->read(at, far);
        canceller_.process_frame(mic, far, cleaned);
        for (std::int16_t s : cleaned) out.push_back(static_cast<float>(s) / 32768.0f);
        at += EchoCanceller::kFrameSamples;
    }
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(
                                                            frames * EchoCanceller::kFrameSamples));
    return out;
}

}  // namespace prism::ui
