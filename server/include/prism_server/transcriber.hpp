#pragma once

// The speech-recognition hook behind POST /v1/audio/transcriptions. The server decodes the
// uploaded file (prism::media, capped by ServerLimits) and calls the transcriber on the GPU
// worker thread, in turn with chat requests; without one the route answers 400.

#include <functional>
#include <string>

#include "prism/media/audio.hpp"

namespace prism::server {

struct TranscriptionRequest {
    media::Audio audio;    // 16 kHz mono
    std::string language;  // ISO-639-1 from the request, empty: detect
    std::string prompt;    // optional text to continue from
    float temperature = 0;
};

struct Transcriber {
    std::string model_id;  // what the request's `model` must name
    std::function<std::string(const TranscriptionRequest&)> transcribe;
};

}  // namespace prism::server
