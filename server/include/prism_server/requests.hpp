#pragma once

// OpenAI request bodies read into what the engine takes. Every field is checked for its type
// and range, and against ServerLimits, before anything runs; a bad field is an ApiError naming
// it. Images come only as data URLs (base64), sound only as base64 input_audio: the server
// never reads a path or fetches a URL a client names.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "prism/chat_template.hpp"
#include "prism/media/audio.hpp"
#include "prism/message_part.hpp"
#include "prism/text/sampler.hpp"
#include "prism_server/server_limits.hpp"

namespace prism::server {

// What the loaded model can take, for the checks that depend on it.
struct ModelFeatures {
    std::string id;  // the name clients pass as `model`
    bool vision = false;
};

// The fields chat and text completions share.
struct GenerationRequest {
    std::string model;
    bool stream = false;
    bool include_usage = false;  // stream_options.include_usage
    text::SamplerSettings sampling;
    std::vector<std::string> stop;
    std::int64_t max_tokens = 0;
};

struct InputMessage {
    ChatRole role = ChatRole::user;
    // Text, images and sounds in order. Sound is decoded and capped while the request is read;
    // a model without an audio encoder refuses it when the message is added to its session.
    std::vector<MessagePart> parts;
};

struct ChatRequest {
    GenerationRequest generation;
    std::vector<InputMessage> messages;
};

struct CompletionRequest {
    GenerationRequest generation;
    std::string prompt;
};

// Parses the body text; malformed JSON or a body that is not an object is a 400.
nlohmann::json parse_body(const std::string& body);

ChatRequest parse_chat_request(const nlohmann::json& body, const ModelFeatures& model,
                               const ServerLimits& limits);
CompletionRequest parse_completion_request(const nlohmann::json& body, const ModelFeatures& model,
                                           const ServerLimits& limits);

// The image of a data URL ("data:image/png;base64,..."); anything else (http, file, a path)
// is refused. Decoded with the limits' byte and pixel caps.
std::shared_ptr<const media::Image> decode_image_url(const std::string& url,
                                                     const std::string& param,
                                                     const ServerLimits& limits);

}  // namespace prism::server
