// Language detection of multilingual Whisper models on the Vulkan device, against transformers:
// two tiny random-weight models in whisper.cpp's format (the 99-language layout of tiny ...
// large-v2 with 80 mel bins, large-v3's 100 languages with 128), made with their references by
// tools/make_tiny_multilingual_whisper.py (tests/data/whisper/README.md). On real clips: every
// language's probability, the detected language and its probability in the transcript, the
// no-speech probability, and the greedy tokens with the detected and with a given language
// (Hebrew given as "iw" finds <|he|>); a language the model does not have is a one-line error.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/transcriber.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

// Prism against transformers on the same f16-rounded weights, as natural logarithms of
// probabilities: at most 0.013 apart on lavapipe (f16 matrices and attention caches against
// float32 PyTorch; Prism's log-mel against transformers' features), so 0.03. The detected
// languages win by logit gaps of 0.96 to 5.5, the greedy steps by 0.043 or more.
constexpr double kLogProbabilityTolerance = 0.03;

struct ClipReference {
    std::string clip;
    std::size_t samples = 0;
    std::string language;
    double probability = 0, logit_gap = 0, no_speech = 0;
    std::vector<LanguageProbability> probabilities;  // most probable first
    // "detected" / "given": the prompt's language and the greedy tokens.
    std::map<std::string, std::pair<std::string, std::vector<std::int32_t>>> tokens;
};

using References = std::map<std::string, std::vector<ClipReference>>;

References read_references() {
    const auto path = test_data("whisper/language_references.txt");
    std::ifstream in(path);
    if (!in) throw Error("missing fixture " + path.string());
    References refs;
    std::vector<ClipReference>* model = nullptr;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        if (tag == "model") {
            std::string file;
            ls >> file;
            model = &refs[file];
        } else if (tag == "clip") {
            model->emplace_back();
            ls >> model->back().clip >> model->back().samples;
        } else if (tag == "language") {
            ls >> model->back().language >> model->back().probability >> model->back().logit_gap;
        } else if (tag == "no_speech") {
            ls >> model->back().no_speech;
        } else if (tag == "prob") {
            LanguageProbability p;
            while (ls >> p.language >> p.probability) model->back().probabilities.push_back(p);
        } else if (tag == "tokens") {
            std::string mode, language;
            ls >> mode >> language;
            auto& [lang, ids] = model->back().tokens[mode];
            lang = language;
            std::int32_t t = 0;
            while (ls >> t) ids.push_back(t);
        }
    }
    return refs;
}

TranscribeOptions greedy_without_timestamps(const std::string& language = {}) {
    TranscribeOptions o;
    o.timestamps = false;
    o.language = language;
    o.temperatures = {0.0f};
    // A random model's text is improbable: never judged silence, so that every window decodes.
    o.no_speech_threshold = 1.0f;
    return o;
}

class WhisperLanguage : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { refs_ = read_references(); }
    static Transcriber& model(const std::string& file) {
        auto& t = models_[file];
        if (!t) t = std::make_unique<Transcriber>(test_data("whisper/" + file));
        return *t;
    }
    static void TearDownTestSuite() { models_.clear(); }
    static References refs_;
    static std::map<std::string, std::unique_ptr<Transcriber>> models_;
};
References WhisperLanguage::refs_;
std::map<std::string, std::unique_ptr<Transcriber>> WhisperLanguage::models_;

constexpr const char* kMultilingual = "ggml-tiny-random-multilingual.bin";
constexpr const char* kLargeV3 = "ggml-tiny-random-large-v3.bin";

void expect_log_near(double got, double want, const std::string& what) {
    EXPECT_NEAR(std::log(got), std::log(want), kLogProbabilityTolerance)
        << what << ": " << got << " against " << want;
}

// For each clip every language's probability; for the last (encoded once: the transcriber keeps
// the last window's encoding) the transcript with the detected language and with its second
// language given.
void check_model(Transcriber& t, const std::string& file, const std::vector<ClipReference>& clips,
                 std::size_t languages) {
    ASSERT_EQ(clips.size(), 2u);
    for (const ClipReference& ref : clips) {
        SCOPED_TRACE(file + " " + ref.clip);
        const auto samples = media::decode_audio_file(test_data("audio/" + ref.clip)).samples;
        ASSERT_EQ(samples.size(), ref.samples);

        const std::vector<LanguageProbability> got = t.detect_language(samples);
        ASSERT_EQ(got.size(), languages);
        ASSERT_EQ(ref.probabilities.size(), languages);
        EXPECT_EQ(got.front().language, ref.language);
        double worst = 0, sum = 0;
        for (const LanguageProbability& want : ref.probabilities) {
            const auto it = std::find_if(
                got.begin(), got.end(), [&](const auto& p) { return p.language == want.language; });
            ASSERT_NE(it, got.end()) << want.language;
            expect_log_near(it->probability, want.probability, want.language);
            worst = std::max(worst, std::abs(std::log(it->probability / want.probability)));
            sum += it->probability;
        }
        EXPECT_NEAR(sum, 1.0, 1e-9);
        std::printf("%s %s: %s %.6f (transformers %.6f, logit gap %.3f), worst |d log p| %.2g\n",
                    file.c_str(), ref.clip.c_str(), got.front().language.c_str(),
                    got.front().probability, ref.probability, ref.logit_gap, worst);

        if (&ref != &clips.back()) continue;
        for (const std::string mode : {"detected", "given"}) {
            SCOPED_TRACE(mode);
            const auto& [language, tokens] = ref.tokens.at(mode);
            // Hebrew given by its withdrawn code finds the same token and is named "he".
            const std::string given = language == "he" ? "iw" : language;
            const Transcript out =
                t.transcribe(samples, greedy_without_timestamps(mode == "given" ? given : ""));
            EXPECT_EQ(out.language, language);
            if (mode == "given") {
                EXPECT_EQ(out.language_probability, 1.0);
            } else {
                expect_log_near(out.language_probability, ref.probability, "language_probability");
            }
            ASSERT_EQ(out.segments.size(), 1u);
            EXPECT_EQ(out.segments[0].tokens, tokens);
            expect_log_near(out.segments[0].no_speech_prob, ref.no_speech, "no_speech_prob");
            EXPECT_EQ(out.timings.windows, 1);
        }
    }
}

TEST_F(WhisperLanguage, NinetyNineLanguagesAsTransformers) {
    Transcriber& t = model(kMultilingual);
    EXPECT_TRUE(t.multilingual());
    EXPECT_NE(t.model_description().find("51865 tokens"), std::string::npos);
    check_model(t, kMultilingual, refs_.at(kMultilingual), 99);
}

TEST_F(WhisperLanguage, LargeV3HundredLanguagesAsTransformers) {
    Transcriber& t = model(kLargeV3);
    EXPECT_NE(t.model_description().find("51866 tokens"), std::string::npos);
    check_model(t, kLargeV3, refs_.at(kLargeV3), 100);
}

TEST_F(WhisperLanguage, ALanguageTheModelLacksIsOneLineError) {
    const std::vector<float> samples(16000, 0.0f);
    // <|yue|> is large-v3's hundredth language (its probability is among those compared
    // above): the older layout has no such token.
    for (const auto& [file, language] : std::vector<std::pair<std::string, std::string>>{
             {kMultilingual, "yue"}, {kMultilingual, "xx"}, {kLargeV3, "klingon\n"}}) {
        SCOPED_TRACE(file + " " + language);
        try {
            model(file).transcribe(samples, greedy_without_timestamps(language));
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find(file), std::string::npos) << what;
            EXPECT_NE(what.find("has no language"), std::string::npos) << what;
            EXPECT_EQ(what.find('\n'), std::string::npos) << what;
        }
    }
}

TEST_F(WhisperLanguage, DetectionNeedsSound) {
    EXPECT_THROW(model(kMultilingual).detect_language({}), Error);
    EXPECT_THROW(model(kMultilingual).detect_language(std::vector<float>(159, 0.1f)), Error);
    const Transcript none = model(kMultilingual).transcribe({}, greedy_without_timestamps());
    EXPECT_TRUE(none.segments.empty());
    EXPECT_EQ(none.language_probability, 0.0);
}

}  // namespace
}  // namespace prism::test
