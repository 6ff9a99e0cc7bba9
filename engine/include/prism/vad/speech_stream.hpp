#pragma once

// Live voice activity: 16 kHz samples in, in chunks of any size; speech started / ended
// events out, equal to what detect_speech() finds in the same samples as a whole.

#include <cstdint>
#include <span>
#include <vector>

#include "prism/vad/speech_segmenter.hpp"
#include "prism/vad/voice_activity_detector.hpp"

namespace prism::vad {

class SpeechStream {
  public:
    // Copies the detector (sharing its weights) and starts its stream afresh.
    SpeechStream(const VoiceActivityDetector& detector, const SegmenterOptions& options = {});

    // An utterance's end is reported in the call that completes the window in which its
    // silence (counted in whole windows from the first silent one) reaches min_silence_ms,
    // unless that is shorter than twice the padding, which it then waits for.
    std::vector<SpeechEvent> push(std::span<const float> samples);
    // The sound is over: speech still open ends at its last sample. Then starts over.
    std::vector<SpeechEvent> finish();

    std::int64_t samples_pushed() const { return detector_.samples_pushed(); }

  private:
    VoiceActivityDetector detector_;
    SpeechSegmenter segmenter_;
};

}  // namespace prism::vad
