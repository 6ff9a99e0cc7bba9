#pragma once

// Speech segments from window probabilities, as the silero-vad package's
// get_speech_timestamps finds them (without its maximum-length split), from a whole file or
// incrementally from a live stream.

#include <cstdint>
#include <span>
#include <vector>

#include "prism/value_range.hpp"

namespace prism::vad {

class VoiceActivityDetector;

// Samples [begin, end) at 16 kHz.
struct SpeechSegment {
    std::int64_t begin = 0;
    std::int64_t end = 0;
    friend bool operator==(const SpeechSegment&, const SpeechSegment&) = default;
};

struct SegmenterOptions {
    // A window at or above `threshold` starts (or continues) speech; during speech, only a
    // window below `negative_threshold` counts as silence (hysteresis). A negative
    // negative_threshold means silero's default, max(threshold - 0.15, 0.01).
    double threshold = 0.5;
    double negative_threshold = -1;
    // Speech whose detected span is not longer than this is dropped.
    int min_speech_ms = 250;
    // Silence must last this long (counted from the first silent window) to end speech.
    int min_silence_ms = 100;
    // Each segment is widened by this much on both sides (by half the gap where two
    // segments are closer than twice the padding), within the sound.
    int speech_pad_ms = 30;
};

// The valid values, quoted by prism-cli's flag rules.
namespace segmenter_limits {
inline constexpr ValueRange threshold{0.0, 1.0};
inline constexpr ValueRange negative_threshold{0.0, 1.0};
inline constexpr ValueRange duration_ms{0.0, 3600000.0};  // up to an hour
}  // namespace segmenter_limits

// Throws prism::Error naming the option when a value is outside its range, or when
// negative_threshold is above threshold.
void check_options(const SegmenterOptions& options);

struct SpeechEvent {
    enum class Kind {
        // Speech has lasted past min_speech_ms: segment.begin is final (padding applied),
        // segment.end is where the windows seen so far end.
        started,
        // The utterance is over: `segment` is final and equals the one a whole-file run gives.
        ended,
    };
    Kind kind = Kind::started;
    SpeechSegment segment;
};

// The state machine, fed one window probability at a time.
class SpeechSegmenter {
  public:
    explicit SpeechSegmenter(const SegmenterOptions& options = {});

    // Probabilities of the next windows (each window_samples long, the stream's in order).
    std::vector<SpeechEvent> push(std::span<const float> window_probabilities);
    // Ends the stream, `total_samples` long: speech still open ends there. Then starts over.
    std::vector<SpeechEvent> finish(std::int64_t total_samples);

  private:
    void step(float probability, std::vector<SpeechEvent>& events);
    void confirm(std::vector<SpeechEvent>& events);
    void close_segment(std::int64_t raw_end, std::vector<SpeechEvent>& events);
    void resolve_pending_end(std::int64_t next_start, std::int64_t total,
                             std::vector<SpeechEvent>& events);

    SegmenterOptions options_;
    double negative_threshold_;
    std::int64_t min_speech_;
    std::int64_t min_silence_;
    std::int64_t pad_;

    std::int64_t windows_ = 0;  // windows seen
    bool triggered_ = false;
    bool confirmed_ = false;       // the open segment was reported as started
    std::int64_t start_ = 0;       // raw start of the open segment
    std::int64_t open_begin_ = 0;  // its padded start, once confirmed
    std::int64_t temp_end_ = 0;    // first silent window of the current silence, 0 when none
    bool pending_ = false;         // a kept segment ended; its padded end awaits the next start
    std::int64_t pending_begin_ = 0;
    std::int64_t pending_raw_end_ = 0;
};

// The segments of a whole clip `total_samples` long from its window probabilities.
std::vector<SpeechSegment> speech_segments(std::span<const float> window_probabilities,
                                           std::int64_t total_samples,
                                           const SegmenterOptions& options = {});
// Probabilities and segments of a whole clip (16 kHz mono).
std::vector<SpeechSegment> detect_speech(const VoiceActivityDetector& detector,
                                         std::span<const float> samples,
                                         const SegmenterOptions& options = {});

}  // namespace prism::vad
