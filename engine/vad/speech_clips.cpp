#include "prism/vad/speech_clips.hpp"

namespace prism::vad {

std::vector<std::pair<double, double>> speech_clips(const VoiceActivityDetector& detector,
                                                    std::span<const float> samples,
                                                    const SegmenterOptions& options) {
    std::vector<std::pair<double, double>> clips;
    for (const SpeechSegment& s : detect_speech(detector, samples, options)) {
        clips.emplace_back(static_cast<double>(s.begin) / sample_rate,
                           static_cast<double>(s.end) / sample_rate);
    }
    return clips;
}

}  // namespace prism::vad
