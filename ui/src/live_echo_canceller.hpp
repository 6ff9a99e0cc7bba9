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
#include <deque>
#include <limits>
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
    // Until the filter has learned the room (the echo is only 3 to 9 dB quieter over the
    // first two seconds in the tests' room), what it returns while the far end plays is
    // silence, so that Prism's own voice does not interrupt its first answer, except where the
    // user talks over it (below). Learned: the cleaned sound at least kLearnedDb under the
    // microphone's over the last half second of far-end sound, after at least kMinLearningMs
    // of it; at most kMaxLearningMs (a user talking over it keeps the ratio up).
    bool learning() const { return !learned_; }
    static constexpr double kLearnedDb = 20.0;
    static constexpr std::int64_t kMinLearningMs = 1000;
    static constexpr std::int64_t kMaxLearningMs = 5000;

    // Double talk while learning: a frame is the user's when the cleaned sound is more than
    // kUserMarginDb above the echo the canceller can still leave in it, and louder than
    // kUserFloorDbfs. That echo is predicted from the reference: the loudest far-end frame
    // within the tail times the residual bound, a cleaned-to-reference ratio the last
    // kResidualFrames frames not taken for the user reached (the largest but
    // kResidualBurstFrames, so that a single burst of residual echo does not hold it up; 0 dB,
    // the cleaned sound no louder than what was played, until that many were seen). The
    // bound falls as the filter learns, so a voice as loud as the echo stands out once the
    // filter has begun to converge. The user's frames and kHangoverFrames after each pass
    // (the linear filter's output, which the detector takes for speech sooner than the
    // suppressor's) and do not teach the bound. A frame taken for the user alone lets through
    // less than the detector's 250 ms minimum of speech.
    static constexpr double kUserMarginDb = 10.0;
    static constexpr double kUserFloorDbfs = -45.0;
    static constexpr int kResidualFrames = 16;  // 256 ms
    static constexpr int kResidualBurstFrames = 3;
    static constexpr int kHangoverFrames = 10;  // 160 ms
    // How close, in dB, the frames not taken for the user (above the floor) came to the
    // user's threshold while learning: the echo's margin (negative: under it).
    double closest_to_user_db() const { return closest_to_user_db_; }
    // Frames taken for the user while learning.
    std::int64_t user_frames() const { return user_frames_; }
    // Whole signals of equal length, a whole number of frames; the tests' entry.
    std::vector<std::int16_t> process(std::span<const std::int16_t> mic,
                                      std::span<const std::int16_t> far);

  private:
    void note_learning(std::span<const std::int16_t> mic, std::span<const std::int16_t> cleaned);
    // Whether this learning frame passes (the user's, or in the hangover after).
    bool user_talks(double far_energy, double cleaned_energy);

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
    // Smoothed energies of the microphone and the cleaned sound over far-end frames.
    double mic_energy_ = 0;
    double cleaned_energy_ = 0;
    bool learned_ = false;
    // Double talk: far-end frame energies within the tail, residual ratios of the latest
    // frames not taken for the user.
    std::deque<double> far_energies_;
    std::deque<double> residual_ratios_;
    int hangover_ = 0;
    double closest_to_user_db_ = -std::numeric_limits<double>::infinity();
    std::int64_t user_frames_ = 0;
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
    // The canceller still learns the room (and mutes the far end's echo meanwhile).
    bool learning() const { return canceller_.learning(); }

  private:
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
