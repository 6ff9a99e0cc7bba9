#pragma once

// Acoustic echo cancellation for live mode (speexdsp): the microphone hears Prism's own spoken
// answer through the speakers; an adaptive filter learns that path from the far-end reference
// (what was played) and subtracts its estimate, and the preprocessor suppresses the echo the
// filter leaves. Without it, a loudspeaker's answer reaches the voice activity detector as
// speech and interrupts itself.
//
// EchoCanceller works on aligned signals (reference sample i was heard while microphone
// sample i was captured); MicrophoneEchoFilter aligns a live microphone with a FarEndReference
// by the steady clock and runs the canceller in front of the voice activity detector.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

struct SpeexEchoState_;
struct SpeexPreprocessState_;

namespace prism::ui {

class FarEndReference;

class EchoCanceller {
  public:
    static constexpr int kSampleRate = 16000;
    static constexpr int kFrameSamples = 256;  // 16 ms
    // The echo path it can model: the room's reverberation plus any error in the timestamps.
    // 256-sample frames and a 200-ms tail converged fastest of 160/256/320 and 150/200/250
    // on the tests' room (about 2 s to 40 dB); a longer tail adapts more slowly.
    static constexpr int kDefaultTailMs = 200;

    explicit EchoCanceller(int tail_ms = kDefaultTailMs);
    ~EchoCanceller();
    EchoCanceller(const EchoCanceller&) = delete;
    EchoCanceller& operator=(const EchoCanceller&) = delete;

    // One frame (kFrameSamples) of each; `out` may be `mic`.
    void process_frame(std::span<const std::int16_t> mic, std::span<const std::int16_t> far,
                       std::span<std::int16_t> out);
    // Until the filter has heard kLearningMs of the far end it has not learned the room yet
    // (the echo is only 3 to 9 dB quieter in the tests' room over the first two seconds): what
    // it returns while the far end plays is silence, so that its own voice does not interrupt
    // the first answer; the user cannot interrupt those seconds either.
    bool learning() const {
        return heard_frames_ * kFrameSamples < kLearningMs * kSampleRate / 1000;
    }
    static constexpr std::int64_t kLearningMs = 2000;
    // Whole signals of equal length, a whole number of frames; the tests' entry.
    std::vector<std::int16_t> process(std::span<const std::int16_t> mic,
                                      std::span<const std::int16_t> far);

  private:
    struct EchoDeleter {
        void operator()(SpeexEchoState_* s) const;
    };
    struct PreprocessDeleter {
        void operator()(SpeexPreprocessState_* s) const;
    };

    int tail_samples_;
    std::unique_ptr<SpeexEchoState_, EchoDeleter> echo_;
    std::unique_ptr<SpeexPreprocessState_, PreprocessDeleter> preprocess_;
    // Frames since the reference was last non-zero: with none in the filter's reach the sound
    // passes untouched, so the user's voice is not denoised when nothing is played.
    std::int64_t silent_frames_ = 0;
    std::int64_t heard_frames_ = 0;  // frames with the far end playing, since the start
};

class MicrophoneEchoFilter {
  public:
    explicit MicrophoneEchoFilter(std::shared_ptr<FarEndReference> reference,
                                  int tail_ms = EchoCanceller::kDefaultTailMs);
    ~MicrophoneEchoFilter();

    // A microphone chunk (16 kHz mono float) that arrived at `arrived_us` on the reference's
    // clock: its last sample was captured then or a little before. Returns the cleaned sound
    // of the whole frames completed so far (the rest waits for the next chunk).
    std::vector<float> push(std::span<const float> chunk, std::int64_t arrived_us);

  private:
    // The next chunk does not follow the last one: its timing is found again; the echo path
    // learned is kept (the room has not changed).
    void reset_timing();

    std::shared_ptr<FarEndReference> reference_;
    EchoCanceller canceller_;
    std::vector<std::int16_t> pending_;  // samples of the frame not yet complete
    std::int64_t pushed_ = 0;            // samples pushed since the start
    bool anchored_ = false;
    // Timeline index of the first sample pushed: the earliest the chunks' arrivals allow (over
    // the first second), so a chunk delivered late by a busy event loop does not shift the
    // microphone later. A late stamp only delays the echo in the filter's eyes, which its tail
    // absorbs; an early one would ask it to subtract sound not yet played.
    std::int64_t anchor_ = 0;
};

}  // namespace prism::ui
