#include "prism/vad/speech_clips.hpp"

namespace prism::vad {

std::vector<std::pair<double, double>> speech_clips(const VoiceActivityDetector& detector,
                                                    std::span<const float> samples,
                                                    const SegmenterOptions& options,
                                                    double max_clip_seconds) {
    std::vector<std::pair<double, double>> clips;
    for (const SpeechSegment& s : detect_speech(detector, samples, options)) {
        const double begin = static_cast<double>(s.begin) / sample_rate;
        const double end = static_cast<double>(s.end) / sample_rate;
        // Utterances close together share a clip while it fits one window: a clip per pause
        // would cost a window each and cut the sentences Whisper decodes as one.
        if (!clips.empty() && end - clips.back().first <= max_clip_seconds) {
            clips.back().second = end;
        } else {
            clips.emplace_back(begin, end);
        }
    }
    return clips;
}

}  // namespace prism::vad
