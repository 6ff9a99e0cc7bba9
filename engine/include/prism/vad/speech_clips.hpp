#pragma once

// Speech segments in seconds, the form TranscribeOptions::clips takes: a transcription that
// encodes only what the detector heard as speech.

#include <span>
#include <utility>
#include <vector>

#include "prism/vad/speech_segmenter.hpp"
#include "prism/vad/voice_activity_detector.hpp"

namespace prism::vad {

// (start, end) seconds of each speech segment of 16 kHz mono `samples`, in order.
std::vector<std::pair<double, double>> speech_clips(const VoiceActivityDetector& detector,
                                                    std::span<const float> samples,
                                                    const SegmenterOptions& options = {});

}  // namespace prism::vad
