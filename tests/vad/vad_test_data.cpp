#include "vad_test_data.hpp"

#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include "prism/media/audio.hpp"

namespace prism::test {

std::filesystem::path vad_model_path() {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "vad" / "silero-v6.2.0-ggml.bin";
}

const vad::VoiceActivityDetector& vad_model() {
    static const vad::VoiceActivityDetector model =
        vad::VoiceActivityDetector::load(vad_model_path());
    return model;
}

std::vector<std::uint8_t> file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> vad_reference_stems() {
    return {"jfk",         "2830-3980-0043", "4507-16021-0012", "8455-210777-0068",
            "vad_silence", "vad_noise",      "vad_pauses"};
}

VadReference vad_reference(const std::string& stem) {
    const std::filesystem::path folder = std::filesystem::path(PRISM_TEST_DATA_DIR) / "vad";
    std::ifstream in(folder / (stem + ".vad.ref"));
    if (!in) throw std::runtime_error("missing " + stem + ".vad.ref");
    VadReference ref;
    ref.clip = stem + ".wav";
    ref.audio = stem.rfind("vad_", 0) == 0
                    ? folder / ref.clip
                    : std::filesystem::path(PRISM_TEST_DATA_DIR) / "audio" / ref.clip;
    std::string line;
    std::getline(in, line);  // the comment naming the reference
    std::string word;
    std::size_t count = 0;
    in >> word >> ref.samples >> word >> count;
    ref.probabilities.resize(count);
    ref.rounded_probabilities.resize(count);
    for (std::size_t i = 0; i < count; ++i)
        in >> ref.probabilities[i] >> ref.rounded_probabilities[i];
    while (in >> word && word == "segments") {
        VadReferenceSegments set;
        std::size_t n = 0;
        in >> set.name >> set.options.threshold >> set.options.negative_threshold >>
            set.options.min_speech_ms >> set.options.min_silence_ms >> set.options.speech_pad_ms >>
            n;
        set.segments.resize(n);
        for (vad::SpeechSegment& s : set.segments) in >> s.begin >> s.end;
        ref.option_sets.push_back(set);
    }
    if (!in.eof() || ref.option_sets.empty())
        throw std::runtime_error(stem + ".vad.ref: unreadable");
    return ref;
}

std::vector<float> clip_samples(const VadReference& ref) {
    return media::decode_audio_file(ref.audio).samples;
}

const std::vector<float>& prism_probabilities(const std::string& stem) {
    static std::map<std::string, std::vector<float>> cache;
    auto found = cache.find(stem);
    if (found == cache.end())
        found =
            cache.emplace(stem, vad_model().probabilities(clip_samples(vad_reference(stem)))).first;
    return found->second;
}

}  // namespace prism::test
