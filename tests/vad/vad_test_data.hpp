#pragma once

// The voice-activity fixtures (tests/data/vad, made by tools/make_vad_references.py).

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "prism/vad/speech_segmenter.hpp"
#include "prism/vad/voice_activity_detector.hpp"

namespace prism::test {

std::filesystem::path vad_model_path();
// The model, read once for the whole program.
const vad::VoiceActivityDetector& vad_model();

// The file's bytes.
std::vector<std::uint8_t> file_bytes(const std::filesystem::path& path);

struct VadReferenceSegments {
    std::string name;  // "default", "tight", "loose"
    vad::SegmenterOptions options;
    std::vector<vad::SpeechSegment> segments;
};

// <clip>.vad.ref: the silero-vad package's probabilities and segments for one clip.
struct VadReference {
    std::string clip;  // file name, e.g. "jfk.wav"
    std::filesystem::path audio;
    std::int64_t samples = 0;
    std::vector<float> probabilities;          // the package's model
    std::vector<float> rounded_probabilities;  // with the file's f16 tensors rounded to f16
    std::vector<VadReferenceSegments> option_sets;
};
VadReference vad_reference(const std::string& stem);

// Every clip with a reference: tests/data/audio's recordings and the synthetic ones.
std::vector<std::string> vad_reference_stems();

// The clip's 16 kHz samples, decoded by Prism.
std::vector<float> clip_samples(const VadReference& ref);
// Prism's probabilities of the clip `stem`, computed once for the whole program (the tests
// run in Debug builds, where the network is slow).
const std::vector<float>& prism_probabilities(const std::string& stem);

}  // namespace prism::test
