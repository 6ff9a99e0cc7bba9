#include "prism/vad/speech_stream.hpp"

namespace prism::vad {

SpeechStream::SpeechStream(const VoiceActivityDetector& detector, const SegmenterOptions& options)
    : detector_(detector), segmenter_(options) {
    detector_.reset();
}

std::vector<SpeechEvent> SpeechStream::push(std::span<const float> samples) {
    return segmenter_.push(detector_.push(samples));
}

std::vector<SpeechEvent> SpeechStream::finish() {
    const std::int64_t total = detector_.samples_pushed();
    std::vector<SpeechEvent> events = segmenter_.push(detector_.finish());
    const std::vector<SpeechEvent> last = segmenter_.finish(total);
    events.insert(events.end(), last.begin(), last.end());
    return events;
}

}  // namespace prism::vad
