#pragma once

// The response bodies of OpenAI's API: whole completions, stream chunks, usage and the model
// list, built from the engine's GenerateResult.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "prism/session.hpp"

namespace prism::server {

enum class Endpoint { chat, completion };

struct ResponseHeader {
    Endpoint endpoint = Endpoint::chat;
    std::string id;  // "chatcmpl-..." / "cmpl-..."
    std::int64_t created = 0;
    std::string model;
};

ResponseHeader new_response_header(Endpoint endpoint, const std::string& model);

// "stop" (end of generation, a stop string) or "length" (max_tokens, a full context).
const char* finish_reason(StopReason stop);

// prompt_tokens, completion_tokens, total_tokens, and prompt_tokens_details.cached_tokens:
// the prompt tokens the KV cache already held.
nlohmann::json usage_json(const GenerateResult& result);

nlohmann::json full_response(const ResponseHeader& header, const GenerateResult& result);

// One stream chunk. For chat, `role_only` is the first chunk ({"role": "assistant"}); `finish`
// the last (empty delta, the finish reason).
nlohmann::json stream_chunk(const ResponseHeader& header, const std::string& text,
                            const char* finish = nullptr, bool role_only = false);
// The last chunk of a stream with stream_options.include_usage: no choices, the usage.
nlohmann::json usage_chunk(const ResponseHeader& header, const GenerateResult& result);

nlohmann::json model_json(const std::string& id, std::int64_t created);

// JSON text that survives invalid UTF-8 in a client's own strings.
std::string dump(const nlohmann::json& value);

}  // namespace prism::server
