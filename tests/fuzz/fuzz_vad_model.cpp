// libFuzzer entry: arbitrary bytes read as a Silero VAD model (whisper.cpp's ggml container)
// and, when they are accepted, run on a few windows of sound, alone and as a stream with the
// segmenter. A prism::Error is the expected outcome for most inputs; anything else escaping,
// a sanitizer report, a hang or unbounded memory is a bug.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "prism/error.hpp"
#include "prism/vad.hpp"

namespace {

using namespace prism;

volatile float g_sink;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        vad::VoiceActivityDetector detector =
            vad::VoiceActivityDetector::from_bytes(std::span(data, size), "fuzz-vad.bin");
        std::vector<float> sound(3 * vad::window_samples + 100);
        for (std::size_t i = 0; i < sound.size(); ++i)
            sound[i] = 0.3f * std::sin(0.05f * static_cast<float>(i));
        for (const float p : detector.probabilities(sound)) g_sink = g_sink + p;
        vad::SpeechStream stream(detector);
        for (const vad::SpeechEvent& e : stream.push(sound)) g_sink = g_sink + e.segment.end;
        for (const vad::SpeechEvent& e : stream.finish()) g_sink = g_sink + e.segment.end;
    } catch (const Error&) {
    }
    return 0;
}
