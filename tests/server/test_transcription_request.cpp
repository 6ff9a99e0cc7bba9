// POST /v1/audio/transcriptions without a network or a model: the multipart form read into a
// Whisper request (real sound decoded by prism::media), every bad upload's error, and the
// transcript written in each of OpenAI's response formats.

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "prism_server/api_error.hpp"
#include "prism_server/transcriber.hpp"

namespace prism::server {
namespace {

using Form = std::map<std::string, std::string>;

std::string clip() {  // 1.975 s of speech, 16 kHz mono WAV
    std::ifstream in(PRISM_TEST_DATA_DIR "/audio/2830-3980-0043.wav", std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

Form upload(Form extra = {}) {
    Form form = {{"file", clip()}, {"model", "whisper-tiny"}};
    for (auto& [k, v] : extra) form[k] = v;
    return form;
}

ApiError refusal(const Form& form, const ServerLimits& limits = {}) {
    try {
        parse_transcription_request(form, "whisper-tiny", limits);
    } catch (const ApiError& e) {
        return e;
    }
    ADD_FAILURE() << "accepted";
    return ApiError(0, "");
}

TEST(TranscriptionRequest, DecodesTheUploadInMemory) {
    const TranscriptionRequest r = parse_transcription_request(upload(), "whisper-tiny", {});
    EXPECT_EQ(r.audio.samples.size(), 31600u);  // the clip's own length at 16 kHz
    EXPECT_EQ(r.audio.sample_rate, 16000);
    EXPECT_EQ(r.format, TranscriptFormat::json);
    EXPECT_TRUE(r.options.language.empty());
    EXPECT_EQ(r.options.temperatures, TranscribeOptions{}.temperatures);

    const TranscriptionRequest v = parse_transcription_request(
        upload({{"response_format", "verbose_json"}, {"language", "en"}, {"temperature", "0.4"}}),
        "whisper-tiny", {});
    EXPECT_EQ(v.format, TranscriptFormat::verbose_json);
    EXPECT_EQ(v.options.language, "en");
    EXPECT_EQ(v.options.temperatures, std::vector<float>{0.4f});
    for (const char* f : {"json", "text", "srt", "vtt"})
        EXPECT_NO_THROW(
            parse_transcription_request(upload({{"response_format", f}}), "whisper-tiny", {}))
            << f;
}

TEST(TranscriptionRequest, BadUploadsNameTheField) {
    Form missing = upload();
    missing.erase("file");
    EXPECT_EQ(refusal(missing).param(), "file");
    EXPECT_NE(std::string(refusal(missing).what()).find("missing the 'file' field"),
              std::string::npos);

    const ApiError empty = refusal(upload({{"file", ""}}));
    EXPECT_EQ(empty.status(), 400);
    EXPECT_NE(std::string(empty.what()).find("empty"), std::string::npos);

    const ApiError text = refusal(upload({{"file", "this is a text file, not sound\n"}}));
    EXPECT_EQ(text.status(), 400);
    EXPECT_EQ(text.param(), "file");
    EXPECT_EQ(std::string(text.what()).rfind("file", 0), 0u) << text.what();

    std::string truncated = clip();
    truncated.resize(30);  // inside the RIFF header
    EXPECT_EQ(refusal(upload({{"file", truncated}})).param(), "file");

    ServerLimits small;
    small.max_audio_bytes = 1000;
    EXPECT_NE(std::string(refusal(upload(), small).what()).find("larger than"), std::string::npos);
    small = {};
    small.max_audio_seconds = 1.0;
    const ApiError too_long = refusal(upload(), small);
    EXPECT_EQ(too_long.param(), "file");
    EXPECT_NE(std::string(too_long.what()).find("over the limit"), std::string::npos)
        << too_long.what();
}

TEST(TranscriptionRequest, FieldsAreChecked) {
    Form no_model = upload();
    no_model.erase("model");
    EXPECT_EQ(refusal(no_model).param(), "model");
    const ApiError other = refusal(upload({{"model", "whisper-1"}}));
    EXPECT_EQ(other.status(), 404);
    EXPECT_EQ(other.code(), "model_not_found");
    EXPECT_EQ(refusal(upload({{"response_format", "docx"}})).param(), "response_format");
    for (const char* t : {"-0.1", "1.5", "warm", "0.5x", "nan"})
        EXPECT_EQ(refusal(upload({{"temperature", t}})).param(), "temperature") << t;
    for (const char* l : {"english", "EN", "e", "../"})
        EXPECT_EQ(refusal(upload({{"language", l}})).param(), "language") << l;
    EXPECT_EQ(refusal(upload({{"prompt", "Hello."}})).param(), "prompt");
    EXPECT_EQ(refusal(upload({{"timestamp_granularities[]", "word"}})).param(),
              "timestamp_granularities[]");
    EXPECT_NO_THROW(parse_transcription_request(upload({{"timestamp_granularities[]", "segment"}}),
                                                "whisper-tiny", {}));
}

Transcript two_segments() {
    Transcript t;
    t.language = "en";
    TranscriptSegment a;
    a.start = 0;
    a.end = 1.5;
    a.text = " Experience proves";
    a.tokens = {50364, 1, 2};
    a.avg_logprob = -0.25;
    TranscriptSegment b = a;
    b.start = 1.5;
    b.end = 3723.0625;  // past an hour, to check every field of the time
    b.text = " this.";
    t.segments = {a, b};
    return t;
}

TEST(TranscriptionResponse, EveryFormat) {
    const Transcript t = two_segments();
    auto json = render_transcription(t, TranscriptFormat::json, 2.0);
    EXPECT_EQ(json.content_type, "application/json");
    EXPECT_EQ(nlohmann::json::parse(json.body),
              nlohmann::json({{"text", "Experience proves this."}}));

    EXPECT_EQ(render_transcription(t, TranscriptFormat::text, 2.0).body,
              "Experience proves this.\n");
    EXPECT_EQ(render_transcription(t, TranscriptFormat::srt, 2.0).body,
              "1\n00:00:00,000 --> 00:00:01,500\nExperience proves\n\n"
              "2\n00:00:01,500 --> 01:02:03,063\nthis.\n\n");
    EXPECT_EQ(render_transcription(t, TranscriptFormat::vtt, 2.0).body,
              "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nExperience proves\n\n"
              "00:00:01.500 --> 01:02:03.063\nthis.\n\n");

    const auto verbose =
        nlohmann::json::parse(render_transcription(t, TranscriptFormat::verbose_json, 2.0).body);
    EXPECT_EQ(verbose["task"], "transcribe");
    EXPECT_EQ(verbose["language"], "en");
    EXPECT_EQ(verbose["duration"], 2.0);
    EXPECT_EQ(verbose["text"], "Experience proves this.");
    ASSERT_EQ(verbose["segments"].size(), 2u);
    EXPECT_EQ(verbose["segments"][1]["id"], 1);
    EXPECT_EQ(verbose["segments"][1]["start"], 1.5);
    EXPECT_EQ(verbose["segments"][0]["tokens"], nlohmann::json({50364, 1, 2}));
    EXPECT_EQ(verbose["segments"][0]["avg_logprob"], -0.25);
}

}  // namespace
}  // namespace prism::server
