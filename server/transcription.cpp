#include "prism_server/transcriber.hpp"

#include <charconv>

#include <nlohmann/json.hpp>

#include "openai_json.hpp"
#include "prism/error.hpp"
#include "prism/subtitles.hpp"
#include "prism_server/api_error.hpp"

namespace prism::server {
namespace {

using nlohmann::json;

TranscriptFormat parse_format(const std::string& name) {
    static const std::pair<const char*, TranscriptFormat> formats[] = {
        {"json", TranscriptFormat::json},
        {"text", TranscriptFormat::text},
        {"srt", TranscriptFormat::srt},
        {"verbose_json", TranscriptFormat::verbose_json},
        {"vtt", TranscriptFormat::vtt}};
    for (const auto& [text, format] : formats)
        if (name == text) return format;
    throw bad_request(
        "response_format is '" + name + "'; it must be one of json, text, srt, verbose_json, vtt",
        "response_format");
}

// ISO-639-1 (two letters) as OpenAI asks for, or Whisper's three-letter codes ("haw", "yue").
bool language_code(const std::string& s) {
    if (s.size() < 2 || s.size() > 3) return false;
    for (const char c : s)
        if (c < 'a' || c > 'z') return false;
    return true;
}

// OpenAI's temperature: 0 (the default) lets Whisper raise it step by step when a window's text
// fails the quality thresholds; a higher value samples at that temperature only.
std::vector<float> parse_temperature(const std::string& text, const std::vector<float>& fallback) {
    double t = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), t);
    if (ec != std::errc() || end != text.data() + text.size() || !(t >= 0 && t <= 1))
        throw bad_request("temperature is '" + text + "'; it must be a number from 0 to 1",
                          "temperature");
    if (t == 0) return fallback;
    return {static_cast<float>(t)};
}

const std::string* find(const std::map<std::string, std::string>& form, const std::string& key) {
    const auto it = form.find(key);
    return it == form.end() ? nullptr : &it->second;
}

}  // namespace

TranscriptionRequest parse_transcription_request(const std::map<std::string, std::string>& form,
                                                 const std::string& model_id,
                                                 const ServerLimits& limits) {
    for (const auto& [name, value] : form) {
        if (name == "file" || name == "model" || name == "response_format" || name == "language" ||
            name == "temperature")
            continue;
        if ((name == "timestamp_granularities[]" || name == "timestamp_granularities") &&
            value == "segment")
            continue;
        if (name == "stream" && value == "false") continue;
        throw bad_request("'" + name + "' is not supported by this server", name);
    }
    const std::string* model = find(form, "model");
    if (model == nullptr || model->empty())
        throw bad_request("you must provide a model parameter", "model");
    if (*model != model_id)
        throw ApiError(404,
                       "the model '" + *model + "' does not exist; this server transcribes with '" +
                           model_id + "'",
                       "model", "model_not_found");

    TranscriptionRequest r;
    if (const std::string* f = find(form, "response_format"); f != nullptr && !f->empty())
        r.format = parse_format(*f);
    if (const std::string* l = find(form, "language"); l != nullptr && !l->empty()) {
        if (!language_code(*l))
            throw bad_request("language is '" + *l + "'; it must be an ISO-639-1 code such as en",
                              "language");
        r.options.language = *l;
    }
    if (const std::string* t = find(form, "temperature"); t != nullptr && !t->empty())
        r.options.temperatures = parse_temperature(*t, r.options.temperatures);

    const std::string* file = find(form, "file");
    if (file == nullptr)
        throw bad_request("missing the 'file' field (the sound to transcribe)", "file");
    if (file->empty()) throw bad_request("file: the uploaded file is empty", "file");
    if (file->size() > limits.max_audio_bytes)
        throw bad_request("file: the sound is larger than " +
                              std::to_string(limits.max_audio_bytes >> 20) + " MiB",
                          "file");
    media::AudioDecodeLimits audio_limits;
    audio_limits.max_bytes = limits.max_audio_bytes;
    audio_limits.max_seconds = limits.max_audio_seconds;
    try {
        r.audio = media::decode_audio_memory(
            std::span(reinterpret_cast<const std::uint8_t*>(file->data()), file->size()), "file",
            audio_limits);
    } catch (const Error& e) {
        throw bad_request(e.what(), "file");
    }
    return r;
}

TranscriptionResponse render_transcription(const Transcript& transcript, TranscriptFormat format,
                                           double duration_seconds) {
    switch (format) {
        case TranscriptFormat::text:
            return {transcript.text() + "\n", "text/plain; charset=utf-8"};
        case TranscriptFormat::srt:
            return {to_srt(transcript), "text/plain; charset=utf-8"};
        case TranscriptFormat::vtt:
            return {to_vtt(transcript), "text/vtt; charset=utf-8"};
        case TranscriptFormat::verbose_json: {
            json segments = json::array();
            for (std::size_t i = 0; i < transcript.segments.size(); ++i) {
                const TranscriptSegment& s = transcript.segments[i];
                segments.push_back({{"id", i},
                                    {"start", s.start},
                                    {"end", s.end},
                                    {"text", s.text},
                                    {"tokens", s.tokens},
                                    {"temperature", s.temperature},
                                    {"avg_logprob", s.avg_logprob},
                                    {"compression_ratio", s.compression_ratio},
                                    {"no_speech_prob", s.no_speech_prob}});
            }
            const json body = {{"task", "transcribe"},
                               {"language", transcript.language},
                               {"duration", duration_seconds},
                               {"text", transcript.text()},
                               {"segments", std::move(segments)}};
            return {dump(body), "application/json"};
        }
        case TranscriptFormat::json:
            break;
    }
    return {dump(json{{"text", transcript.text()}}), "application/json"};
}

}  // namespace prism::server
