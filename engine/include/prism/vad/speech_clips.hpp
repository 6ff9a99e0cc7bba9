#pragma once

// Speech segments in seconds, the form TranscribeOptions::clips takes: a transcription that
// encodes only what the detector heard as speech.

#include <span>
#include <utility>
#include <vector>

#include "prism/vad/speech_segmenter.hpp"
#include "prism/vad/voice_activity_detector.hpp"

namespace prism::vad {

// (start, end) seconds of the speech of 16 kHz mono `samples`, in order: consecutive speech
// segments are joined (with the pauses between them) while the joined clip spans at most
// `max_clip_seconds` (Whisper's 30-s window), so that each clip is decoded in one window.
std::vector<std::pair<double, double>> speech_clips(const VoiceActivityDetector& detector,
                                                    std::span<const float> samples,
                                                    const SegmenterOptions& options = {},
                                                    double max_clip_seconds = 30.0);

}  // namespace prism::vad
