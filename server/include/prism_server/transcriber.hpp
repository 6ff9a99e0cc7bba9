#pragma once

// POST /v1/audio/transcriptions: the multipart form OpenAI's clients send (file, model,
// response_format, language, temperature), read into what a Whisper model takes, and the
// transcript written back in the format asked for. The server decodes the uploaded bytes in
// memory (prism::media, capped by ServerLimits; never a path) and calls the Transcriber on the
// GPU worker thread, in turn with chat requests; without one the route answers 400.

#include <functional>
#include <map>
#include <span>
#include <string>

#include "prism/media/audio.hpp"
#include "prism/transcriber.hpp"
#include "prism_server/server_limits.hpp"

namespace prism::server {

// Speech recognition behind the route: prism-server fills it from --whisper.
struct Transcriber {
    std::string model_id;  // what the request's `model` must name
    std::function<Transcript(std::span<const float> samples, const TranscribeOptions& options,
                             const TranscribeCallbacks& callbacks)>
        transcribe;
    // Stops a transcribe() in progress (any thread); the server calls it when it stops, so that
    // a long upload does not hold the shutdown, and when the request's client leaves. May be
    // empty.
    std::function<void()> cancel;
};

enum class TranscriptFormat { json, text, srt, verbose_json, vtt };

struct TranscriptionRequest {
    media::Audio audio;  // 16 kHz mono
    TranscribeOptions options;
    TranscriptFormat format = TranscriptFormat::json;
};

// The form's fields by name (the file's content under "file"). Every field is checked: a
// missing or empty file, one that is not sound or is over the caps, another model's name, an
// unknown format, language or temperature out of range, and fields this server cannot honour
// (prompt, word timestamps, streaming) are each an ApiError naming the field.
TranscriptionRequest parse_transcription_request(const std::map<std::string, std::string>& form,
                                                 const std::string& model_id,
                                                 const ServerLimits& limits);

struct TranscriptionResponse {
    std::string body;
    std::string content_type;
};

// json {"text"}; text, srt and vtt as plain text; verbose_json with the language, the sound's
// duration and each segment's times, tokens and scores, as OpenAI's API writes them.
TranscriptionResponse render_transcription(const Transcript& transcript, TranscriptFormat format,
                                           double duration_seconds);

}  // namespace prism::server
