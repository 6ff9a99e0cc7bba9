#include "openai_json.hpp"

#include <chrono>
#include <random>

namespace prism::server {
namespace {

using nlohmann::json;

std::string random_hex(std::size_t n) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(n, '0');
    for (auto& c : s) c = digits[rng() & 15u];
    return s;
}

json base(const ResponseHeader& h, bool chunk) {
    const bool chat = h.endpoint == Endpoint::chat;
    return {{"id", h.id},
            {"object",
             chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion"},
            {"created", h.created},
            {"model", h.model},
            {"system_fingerprint", "prism"}};
}

}  // namespace

ResponseHeader new_response_header(Endpoint endpoint, const std::string& model) {
    ResponseHeader h;
    h.endpoint = endpoint;
    h.id = (endpoint == Endpoint::chat ? "chatcmpl-" : "cmpl-") + random_hex(24);
    h.created = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    h.model = model;
    return h;
}

const char* finish_reason(StopReason stop) {
    switch (stop) {
        case StopReason::max_tokens:
        case StopReason::context_full:
            return "length";
        default:
            return "stop";
    }
}

json usage_json(const GenerateResult& result) {
    const Timings& t = result.timings;
    // The end-of-generation token is sampled but is no part of the answer.
    const std::int64_t completion =
        t.generated_tokens - (result.stop == StopReason::end_of_generation ? 1 : 0);
    return {{"prompt_tokens", t.prompt_tokens},
            {"completion_tokens", completion},
            {"total_tokens", t.prompt_tokens + completion},
            {"prompt_tokens_details", {{"cached_tokens", t.prompt_tokens_reused}}}};
}

json full_response(const ResponseHeader& header, const GenerateResult& result) {
    json r = base(header, false);
    json choice = {
        {"index", 0}, {"finish_reason", finish_reason(result.stop)}, {"logprobs", nullptr}};
    if (header.endpoint == Endpoint::chat)
        choice["message"] = {{"role", "assistant"}, {"content", result.text}};
    else
        choice["text"] = result.text;
    r["choices"] = json::array({choice});
    r["usage"] = usage_json(result);
    return r;
}

json stream_chunk(const ResponseHeader& header, const std::string& text, const char* finish,
                  bool role_only) {
    json r = base(header, true);
    json choice = {{"index", 0},
                   {"logprobs", nullptr},
                   {"finish_reason", finish ? json(finish) : json(nullptr)}};
    if (header.endpoint == Endpoint::chat) {
        if (role_only)
            choice["delta"] = {{"role", "assistant"}, {"content", ""}};
        else if (finish != nullptr)
            choice["delta"] = json::object();
        else
            choice["delta"] = {{"content", text}};
    } else {
        choice["text"] = text;
    }
    r["choices"] = json::array({choice});
    return r;
}

json usage_chunk(const ResponseHeader& header, const GenerateResult& result) {
    json r = base(header, true);
    r["choices"] = json::array();
    r["usage"] = usage_json(result);
    return r;
}

json model_json(const std::string& id, std::int64_t created) {
    return {{"id", id}, {"object", "model"}, {"created", created}, {"owned_by", "prism"}};
}

std::string dump(const json& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace prism::server
