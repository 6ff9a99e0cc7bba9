// Speech recognition end to end on the Vulkan device with the real Whisper
// tiny.en weights: every clip of tests/data/audio (and two made here: 5 s of
// silence, jfk.wav three times) gives the tokens faster-whisper gives with
// beam_size=1 and temperature 0 (no fallback), with and without timestamps
// (tests/data/whisper/references.txt, tools/make_whisper_references.py);
// jfk.wav's text; word errors no more than faster-whisper's; silence and empty
// input give no text; progress and cancel; VAD clips; bad model files.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "models/cli_runner.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/session.hpp"
#include "prism/transcriber.hpp"
#include "prism/vad.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

struct RefSegment {
    double start = 0, end = 0;
    std::vector<std::int32_t> tokens;
};

struct RefMode {
    std::vector<RefSegment> segments;
    int word_errors = 0, reference_words = 0;
    std::string text;
};

struct RefClip {
    std::size_t samples = 0;
    std::string expected;                  // the known transcript, lower case, no punctuation
    std::map<std::string, RefMode> modes;  // "timestamps", "no_timestamps"
};

std::map<std::string, RefClip> read_references() {
    const fs::path path = test_data("whisper/references.txt");
    std::ifstream in(path);
    if (!in) throw Error("missing fixture " + path.string());
    std::map<std::string, RefClip> clips;
    RefClip* clip = nullptr;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag, name, mode;
        ls >> tag;
        if (tag == "clip") {
            ls >> name;
            clip = &clips[name];
            ls >> clip->samples;
        } else if (tag == "segment") {
            RefSegment s;
            ls >> mode >> s.start >> s.end;
            std::int32_t t = 0;
            while (ls >> t) s.tokens.push_back(t);
            clip->modes[mode].segments.push_back(s);
        } else if (tag == "words") {
            ls >> mode;
            ls >> clip->modes[mode].word_errors >> clip->modes[mode].reference_words;
        } else if (tag == "expected") {
            std::getline(ls, clip->expected);
        } else if (tag == "text") {
            ls >> mode;
            std::string text;
            std::getline(ls, text);
            // One space separates the mode from the text, which starts with its own space.
            clip->modes[mode].text = text.empty() ? text : text.substr(1);
        }
    }
    return clips;
}

std::vector<std::string> normalized_words(const std::string& text) {
    std::vector<std::string> out;
    std::string word;
    for (const char c : text + " ") {
        if (std::isalnum(static_cast<unsigned char>(c)) || c == '\'') {
            word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!word.empty()) {
            out.push_back(word);
            word.clear();
        }
    }
    return out;
}

std::string expected_words(const RefClip& clip) {
    return clip.expected;
}

// Word-level edit distance, as the reference script counts it.
int word_errors(const std::string& reference, const std::string& hypothesis) {
    const auto r = normalized_words(reference), h = normalized_words(hypothesis);
    std::vector<int> d(h.size() + 1);
    for (std::size_t j = 0; j <= h.size(); ++j) d[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= r.size(); ++i) {
        int prev = d[0];
        d[0] = static_cast<int>(i);
        for (std::size_t j = 1; j <= h.size(); ++j) {
            const int cur =
                std::min({d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1] ? 1 : 0)});
            prev = d[j];
            d[j] = cur;
        }
    }
    return d[h.size()];
}

std::vector<float> clip_samples(const std::string& name) {
    if (name == "silence_5s") return std::vector<float>(80000, 0.0f);
    if (name == "jfk_x3") {
        const auto one = media::decode_audio_file(test_data("audio/jfk.wav")).samples;
        std::vector<float> three;
        for (int i = 0; i < 3; ++i) three.insert(three.end(), one.begin(), one.end());
        return three;
    }
    return media::decode_audio_file(test_data("audio/" + name)).samples;
}

class RealWhisper : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const auto path = real_model(kWhisperTinyEnFile);
        if (path) transcriber_ = std::make_unique<Transcriber>(*path);
    }
    static void TearDownTestSuite() { transcriber_.reset(); }
    void SetUp() override {
        if (!transcriber_) GTEST_SKIP() << real_model_absent(kWhisperTinyEnFile);
    }
    static TranscribeOptions greedy(bool timestamps) {
        TranscribeOptions o;
        o.timestamps = timestamps;
        o.temperatures = {0.0f};
        return o;
    }
    static std::unique_ptr<Transcriber> transcriber_;
};
std::unique_ptr<Transcriber> RealWhisper::transcriber_;

TEST_F(RealWhisper, EveryClipGivesFasterWhispersTokens) {
    const auto refs = read_references();
    ASSERT_GE(refs.size(), 8u);
    int total_errors = 0, total_ref_errors = 0;
    for (const auto& [name, clip] : refs) {
        const std::vector<float> samples = clip_samples(name);
        // PyAV (faster-whisper's decoder) and Prism's FFmpeg decode give the same WAV samples;
        // an MP3's length differs by the encoder padding FFmpeg keeps (PROVENANCE.md).
        if (name.find(".mp3") == std::string::npos) {
            ASSERT_EQ(samples.size(), clip.samples) << name;
        }
        for (const auto& [mode, want] : clip.modes) {
            SCOPED_TRACE(name + " " + mode);
            const Transcript t = transcriber_->transcribe(samples, greedy(mode == "timestamps"));
            ASSERT_EQ(t.segments.size(), want.segments.size()) << t.text();
            for (std::size_t i = 0; i < t.segments.size(); ++i) {
                EXPECT_EQ(t.segments[i].tokens, want.segments[i].tokens) << t.segments[i].text;
                EXPECT_NEAR(t.segments[i].start, want.segments[i].start, 0.005);
                // A segment without timestamps ends where the sound does: an MP3 decoded with
                // its padding is longer by that much.
                const double longer = std::abs(static_cast<double>(samples.size()) -
                                               static_cast<double>(clip.samples)) /
                                      16000.0;
                EXPECT_NEAR(t.segments[i].end, want.segments[i].end, 0.005 + longer);
            }
            std::printf("%-22s %-13s |%s\n", name.c_str(), mode.c_str(), t.text().c_str());
            total_ref_errors += want.word_errors;
            total_errors += word_errors(expected_words(clip), t.text());
        }
    }
    // The word error rate over all clips, against the known transcripts: no worse than
    // faster-whisper's on the same clips (equal when the tokens are).
    EXPECT_LE(total_errors, total_ref_errors);
    std::printf("word errors: Prism %d, faster-whisper %d\n", total_errors, total_ref_errors);
}

// The words whisper.cpp's tests expect (tests/data/audio/PROVENANCE.md), compared without case
// and punctuation as that file says to: tiny.en writes no commas here, in faster-whisper too
// (its text is in references.txt), where larger Whisper models write "Americans, ask".
TEST_F(RealWhisper, JfkSaysAskNot) {
    const auto samples = clip_samples("jfk.wav");
    const Transcript t = transcriber_->transcribe(samples, greedy(false));
    auto words = [](const std::string& s) {
        std::string out;
        for (const char c : s) {
            if (std::isalnum(static_cast<unsigned char>(c)) || c == ' ')
                out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return out;
    };
    EXPECT_EQ(
        words(t.text()),
        words("And so my fellow Americans, ask not what your country can do for you, ask what "
              "you can do for your country."));
    EXPECT_EQ(" " + t.text(), read_references().at("jfk.wav").modes.at("no_timestamps").text);
    EXPECT_EQ(t.language, "en");
    EXPECT_EQ(t.language_probability, 1.0);
    EXPECT_GT(t.timings.encode_ms, 0);
    EXPECT_GT(t.timings.decoder_steps, 20);
}

// English-only models were trained without language tokens: another language is refused in
// one line naming the model, "en" is accepted, and there is no language to detect. The options
// are checked before any sound is looked at, so no sound is needed.
TEST_F(RealWhisper, EnglishOnlyModelRefusesAnotherLanguage) {
    const std::vector<float> samples;
    TranscribeOptions o = greedy(false);
    o.language = "de";
    try {
        transcriber_->transcribe(samples, o);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(kWhisperTinyEnFile), std::string::npos) << what;
        EXPECT_NE(what.find("English-only"), std::string::npos) << what;
        EXPECT_NE(what.find("'de'"), std::string::npos) << what;
        EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
    o.language = "en";
    const Transcript t = transcriber_->transcribe(samples, o);
    EXPECT_EQ(t.language, "en");
    EXPECT_EQ(t.language_probability, 1.0);
    EXPECT_THROW(transcriber_->detect_language(std::vector<float>(16000, 0.0f)), Error);
}

TEST_F(RealWhisper, SilenceAndEmptyInputGiveNoText) {
    for (const std::size_t n : {std::size_t{0}, std::size_t{100}, std::size_t{80000}}) {
        const std::vector<float> zeros(n, 0.0f);
        for (const bool ts : {true, false}) {
            TranscribeOptions o;  // the default fallback on: silence must not fall back into words
            o.timestamps = ts;
            const Transcript t = transcriber_->transcribe(zeros, o);
            EXPECT_TRUE(t.segments.empty()) << n << " samples: " << t.text();
        }
    }
}

TEST_F(RealWhisper, ProgressAndCancelAcrossWindows) {
    const auto samples = clip_samples("jfk_x3");
    std::vector<double> done;
    TranscribeCallbacks cb;
    cb.progress = [&](double d, double total) {
        done.push_back(d);
        EXPECT_NEAR(total, 33.0, 0.01);
        transcriber_->cancel();
    };
    const Transcript t = transcriber_->transcribe(samples, greedy(true), cb);
    EXPECT_TRUE(t.cancelled);
    ASSERT_EQ(done.size(), 1u);
    EXPECT_GT(done[0], 5.0);
    EXPECT_LT(done[0], 33.0);
    EXPECT_EQ(t.timings.windows, 1);
    // A new call starts afresh after a cancel.
    const Transcript again =
        transcriber_->transcribe(clip_samples("2830-3980-0043.wav"), greedy(false));
    EXPECT_FALSE(again.cancelled);
    EXPECT_FALSE(again.segments.empty());
}

// Two hours of sound (silence, 115 million samples): progress counts against
// the whole length, and a cancel from the progress callback ends the call after
// the window it is in. Memory per window is one window's mel; the host's
// resident set must not grow by more than a few windows' worth across the
// windows decoded.
TEST_F(RealWhisper, TwoHoursReportProgressAndCancel) {
    const std::vector<float> two_hours(std::size_t{2} * 60 * 60 * 16000, 0.0f);
    int windows = 0;
    TranscribeCallbacks cb;
    cb.progress = [&](double done, double total) {
        EXPECT_NEAR(total, 7200.0, 0.01);
        EXPECT_NEAR(done, 30.0 * (windows + 1), 0.01);
        if (++windows == 3) transcriber_->cancel();
    };
    const Transcript t = transcriber_->transcribe(two_hours, TranscribeOptions{}, cb);
    EXPECT_TRUE(t.cancelled);
    EXPECT_EQ(windows, 3);
    // Not asserted: whether 30-s windows of digital zeros give no text. Measured here, some of the
    // three gave text here (short silence, padded as the reference pads, gives none:
    // SilenceAndEmptyInputGiveNoText); faster-whisper on the same input is not measured yet.
}

// A minute of silence before jfk.wav: with the VAD's speech segments as clips only the speech
// is encoded (one window, where the whole 71 s would take at least three), and the times stay
// those of the whole sound (jfk's speech, 0.3 s to 10.6 s into the clip, here 60 s later).
TEST_F(RealWhisper, VadClipsEncodeOnlyTheSpeechAndKeepTheFilesTimes) {
    const auto jfk = clip_samples("jfk.wav");
    std::vector<float> samples(std::size_t{60} * 16000, 0.0f);
    samples.insert(samples.end(), jfk.begin(), jfk.end());
    const auto detector = vad::VoiceActivityDetector::load(test_data("vad/silero-v6.2.0-ggml.bin"));
    TranscribeOptions o = greedy(true);
    o.clips = vad::speech_clips(detector, samples);
    ASSERT_FALSE(o.clips.empty());
    EXPECT_GE(o.clips.front().first, 60.0);
    const Transcript t = transcriber_->transcribe(samples, o);
    EXPECT_EQ(t.timings.windows, 1);
    ASSERT_FALSE(t.segments.empty());
    EXPECT_GE(t.segments.front().start, 60.0);
    EXPECT_LT(t.segments.front().start, 61.0);
    EXPECT_GT(t.segments.back().end, 69.5);
    EXPECT_LE(t.segments.back().end, 71.0 + 1e-9);
    EXPECT_NE(t.text().find("ask not what your country can do for you"), std::string::npos)
        << t.text();
}

// The same weights in whisper.cpp's container (tools/convert_ct2_to_whisper_ggml.py): one
// transcription, with timestamps, gives faster-whisper's tokens, as the GGUF does above.
TEST(RealWhisperGgml, JfkGivesTheSameTokensAsTheGguf) {
    const auto path = real_model(kWhisperTinyEnGgmlFile);
    if (!path) GTEST_SKIP() << real_model_absent(kWhisperTinyEnGgmlFile);
    Transcriber transcriber(*path);
    EXPECT_EQ(transcriber.model_description(),
              "whisper: 4 + 4 blocks, 384 wide, 51864 tokens, English only");
    TranscribeOptions o;
    o.temperatures = {0.0f};
    const Transcript t = transcriber.transcribe(clip_samples("jfk.wav"), o);
    const RefMode want = read_references().at("jfk.wav").modes.at("timestamps");
    ASSERT_EQ(t.segments.size(), want.segments.size()) << t.text();
    for (std::size_t i = 0; i < t.segments.size(); ++i) {
        EXPECT_EQ(t.segments[i].tokens, want.segments[i].tokens) << t.segments[i].text;
        EXPECT_NEAR(t.segments[i].start, want.segments[i].start, 0.005);
        EXPECT_NEAR(t.segments[i].end, want.segments[i].end, 0.005);
    }
    EXPECT_EQ(" " + t.text(), want.text);
}

TEST(WhisperBadInput, NotAWhisperModel) {
    try {
        Transcriber t(demo_model());
        FAIL() << "a text model loaded as Whisper";
    } catch (const FormatError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(demo_model().string()), std::string::npos) << what;
        EXPECT_NE(what.find("not a Whisper speech model"), std::string::npos) << what;
    }
}

TEST(WhisperBadInput, TruncatedAndGarbageFiles) {
    const auto path = real_model(kWhisperTinyEnFile);
    if (!path) GTEST_SKIP() << real_model_absent(kWhisperTinyEnFile);
    const auto ggml = real_model(kWhisperTinyEnGgmlFile);
    if (!ggml) GTEST_SKIP() << real_model_absent(kWhisperTinyEnGgmlFile);
    const fs::path dir =
        fs::temp_directory_path() / ("prism-whisper-bad-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const auto cut_copy = [&dir](const fs::path& from, const std::string& name) {
        std::ifstream in(from, std::ios::binary);
        std::vector<char> head(5'000'000);
        in.read(head.data(), static_cast<std::streamsize>(head.size()));
        std::ofstream(dir / name, std::ios::binary)
            .write(head.data(), static_cast<std::streamsize>(head.size()));
        return dir / name;
    };
    const fs::path cut = cut_copy(*path, "cut.gguf");
    const fs::path cut_ggml = cut_copy(*ggml, "ggml-cut.bin");
    const fs::path junk = dir / "junk.bin";
    std::ofstream(junk, std::ios::binary) << std::string(4096, 'x');
    const fs::path vad = test_data("vad/silero-v6.2.0-ggml.bin");
    for (const fs::path& bad : {cut, cut_ggml, junk, vad}) {
        try {
            Transcriber t(bad);
            ADD_FAILURE() << bad << " loaded";
        } catch (const FormatError& e) {
            EXPECT_EQ(std::string(e.what()).rfind(bad.string(), 0), 0u) << e.what();
        }
    }
    fs::remove_all(dir);
}

TEST(WhisperBadInput, WhisperModelWhereATextModelIsExpected) {
    const auto path = real_model(kWhisperTinyEnFile);
    if (!path) GTEST_SKIP() << real_model_absent(kWhisperTinyEnFile);
    const CliRun r = run_cli("run -m '" + path->string() + "' -p hi");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("Whisper"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("prism-cli transcribe"), std::string::npos) << r.err;
}

TEST(WhisperBadInput, GgmlWhisperModelWhereATextModelIsExpected) {
    const auto path = real_model(kWhisperTinyEnGgmlFile);
    if (!path) GTEST_SKIP() << real_model_absent(kWhisperTinyEnGgmlFile);
    const CliRun r = run_cli("run -m '" + path->string() + "' -p hi");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    EXPECT_NE(r.err.find(path->string() + ": not a GGUF file but whisper.cpp's ggml format"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("prism-cli transcribe"), std::string::npos) << r.err;
}

TEST(WhisperCli, TranscribeWritesTextAndSubtitles) {
    const auto path = real_model(kWhisperTinyEnFile);
    if (!path) GTEST_SKIP() << real_model_absent(kWhisperTinyEnFile);
    const std::string m = "transcribe -m '" + path->string() + "' ";
    const std::string clip = "'" + test_data("audio/4507-16021-0012.wav").string() + "'";
    const CliRun text = run_cli(m + "--no-timestamps " + clip);
    ASSERT_EQ(text.status, 0) << text.err;
    EXPECT_NE(text.out.find("halt on the way"), std::string::npos) << text.out;
    EXPECT_NE(text.err.find("real time"), std::string::npos) << text.err;
    const CliRun srt = run_cli(m + "--srt " + clip);
    ASSERT_EQ(srt.status, 0) << srt.err;
    EXPECT_EQ(srt.out.rfind("1\n00:00:00,000 --> 00:00:0", 0), 0u) << srt.out;
    const CliRun json = run_cli(m + "--json " + clip);
    EXPECT_NE(json.out.find("\"segments\": [{\"start\": 0.00"), std::string::npos) << json.out;
    EXPECT_NE(json.out.find("\"language\": \"en\", \"language_probability\": 1.0000"),
              std::string::npos)
        << json.out;
    const CliRun bad = run_cli(m + "'" + demo_model().string() + "'");
    EXPECT_EQ(bad.status, 1);
    const CliRun not_whisper = run_cli("transcribe -m '" + demo_model().string() + "' " + clip);
    EXPECT_EQ(not_whisper.status, 1);
    EXPECT_NE(not_whisper.err.find("not a Whisper speech model"), std::string::npos)
        << not_whisper.err;
}

// --vad with the shipped VAD model (found without a path): a file with no speech gives an
// empty transcript without encoding a window; a missing VAD model is a one-line error.
TEST(WhisperCli, TranscribeVadSkipsAFileWithoutSpeech) {
    const auto path = real_model(kWhisperTinyEnFile);
    if (!path) GTEST_SKIP() << real_model_absent(kWhisperTinyEnFile);
    const std::string m = "transcribe -m '" + path->string() + "' ";
    const std::string silence = "'" + test_data("audio/silence_16k.wav").string() + "'";
    // 0.5 s of zeros, 3 s of zeros, 3 s of white noise (sd 0.05): no speech, no window.
    for (const std::string& file : {silence, "'" + test_data("vad/vad_silence.wav").string() + "'",
                                    "'" + test_data("vad/vad_noise.wav").string() + "'"}) {
        const CliRun quiet = run_cli(m + "--vad " + file);
        ASSERT_EQ(quiet.status, 0) << quiet.err;
        EXPECT_EQ(quiet.out, "") << file << ": " << quiet.out;
        EXPECT_NE(quiet.err.find("0 window(s)"), std::string::npos) << quiet.err;
    }
    const CliRun missing = run_cli(m + "--vad --vad-model /nonexistent/silero.bin " + silence);
    EXPECT_EQ(missing.status, 1);
    EXPECT_NE(missing.err.find("/nonexistent/silero.bin"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace prism::test
