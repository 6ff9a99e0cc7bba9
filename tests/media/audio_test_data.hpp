#pragma once

// Fixtures and measures shared by the audio tests (tests/data/audio, made by
// tools/make_audio_fixtures.py and tools/make_mel_references.py).

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace prism::test {

inline std::filesystem::path audio_fixture(const std::string& name) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "audio" / name;
}

// One line of decoded_references.txt: what the ffmpeg tool decodes a fixture to at 16 kHz mono.
struct DecodedReference {
    std::string file;
    std::size_t samples = 0;
    std::vector<double> block_rms;  // per 1600-sample block, the last one possibly shorter
};
std::vector<DecodedReference> decoded_references();

// What transformers' WhisperFeatureExtractor gives for one 30-s window of a clip (the layout
// is described in tools/make_mel_references.py).
struct MelReferenceWindow {
    int content_frames = 0;  // later frames hold tail_value in every bin
    float tail_value = 0;
    std::vector<float> frame_mean;           // mean over the bins, frames [0, content_frames)
    std::vector<int> frames;                 // frames given in full
    std::vector<std::vector<float>> values;  // values[i][mel] of frames[i]
};
struct MelReference {
    int n_mel = 0;
    std::vector<MelReferenceWindow> windows;
};
// <clip>.mel<n_mel>.ref, e.g. mel_reference("jfk_wav", 128).
MelReference mel_reference(const std::string& clip, int n_mel);

// RMS of each 1600-sample block, as decoded_references.txt has it.
std::vector<double> block_rms(std::span<const float> samples);

// `samples` (16 kHz) through a windowed-sinc low-pass filter: compares sound across codecs
// and sample rates that keep different amounts of the high band.
std::vector<float> low_pass(std::span<const float> samples, double cutoff_hz);

// How well `b` matches `a` once shifted by up to max_lag samples either way (codec delay).
struct Alignment {
    int lag = 0;             // b[i + lag] pairs with a[i]
    double correlation = 0;  // Pearson correlation over the overlap
    double gain = 0;         // least-squares scale of a that best gives b
};
Alignment align(std::span<const float> a, std::span<const float> b, int max_lag);

}  // namespace prism::test
