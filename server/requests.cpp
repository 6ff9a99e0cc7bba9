#include "prism_server/requests.hpp"

#include <cmath>
#include <string_view>

#include "prism/error.hpp"
#include "prism/media/image.hpp"
#include "prism/value_range.hpp"
#include "prism_server/api_error.hpp"
#include "prism_server/base64.hpp"

namespace prism::server {
namespace {

using nlohmann::json;

std::string type_name(const json& v) {
    if (v.is_null()) return "null";
    if (v.is_boolean()) return "a boolean";
    if (v.is_number()) return "a number";
    if (v.is_string()) return "a string";
    if (v.is_array()) return "an array";
    return "an object";
}

[[noreturn]] void wrong_type(const std::string& param, const json& v, std::string_view wanted) {
    throw bad_request(param + " must be " + std::string(wanted) + ", not " + type_name(v), param);
}

// The member `key` of `obj`, or nullptr when it is absent or null (OpenAI's clients send
// null for "not given").
const json* field(const json& obj, const std::string& key) {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

const std::string& string_field(const json& v, const std::string& param) {
    if (!v.is_string()) wrong_type(param, v, "a string");
    return v.get_ref<const std::string&>();
}

double number_field(const json& v, const std::string& param, const ValueRange& range) {
    if (!v.is_number()) wrong_type(param, v, "a number");
    const double d = v.get<double>();
    if (!range.contains(d))
        throw bad_request(param + " is " + v.dump() + "; it must be " + range.describe(), param);
    return d;
}

std::int64_t integer_field(const json& v, const std::string& param, const ValueRange& range) {
    if (!v.is_number_integer() &&
        !(v.is_number_float() && std::trunc(v.get<double>()) == v.get<double>()))
        wrong_type(param, v, "an integer");
    number_field(v, param, range);
    return v.is_number_unsigned() ? static_cast<std::int64_t>(
                                        std::min<std::uint64_t>(v.get<std::uint64_t>(), INT64_MAX))
                                  : v.get<std::int64_t>();
}

bool bool_field(const json& v, const std::string& param) {
    if (!v.is_boolean()) wrong_type(param, v, "a boolean");
    return v.get<bool>();
}

void check_model(const json& body, const ModelFeatures& model) {
    const json* m = field(body, "model");
    if (m == nullptr) throw bad_request("you must provide a model parameter", "model");
    const std::string& name = string_field(*m, "model");
    if (name != model.id)
        throw ApiError(
            404, "the model '" + name + "' does not exist; this server has '" + model.id + "'",
            "model", "model_not_found");
}

// Fields the server cannot honour are refused rather than silently ignored, so that a client
// relying on them learns it at once.
void refuse_unsupported(const json& body) {
    if (const json* n = field(body, "n"); n != nullptr && !(n->is_number() && *n == 1))
        throw bad_request("n must be 1: this server generates one choice per request", "n");
    for (const char* key : {"tools", "functions"}) {
        const json* v = field(body, key);
        if (v != nullptr && !(v->is_array() && v->empty()))
            throw bad_request(std::string(key) + " are not supported by this server", key);
    }
    if (const json* f = field(body, "response_format"); f != nullptr) {
        const json* type = f->is_object() ? field(*f, "type") : nullptr;
        if (type == nullptr || *type != "text")
            throw bad_request("response_format: only {\"type\": \"text\"} is supported",
                              "response_format");
    }
}

GenerationRequest parse_generation(const json& body, const ModelFeatures& model,
                                   const ServerLimits& limits) {
    check_model(body, model);
    refuse_unsupported(body);
    GenerationRequest r;
    r.model = model.id;
    if (const json* v = field(body, "stream")) r.stream = bool_field(*v, "stream");
    if (const json* o = field(body, "stream_options")) {
        if (!o->is_object()) wrong_type("stream_options", *o, "an object");
        if (const json* u = field(*o, "include_usage"))
            r.include_usage = bool_field(*u, "stream_options.include_usage");
    }
    // Absent sampling fields keep the engine's defaults (as llama.cpp's server does), which
    // suit small local models better than OpenAI's temperature 1 without truncation.
    auto& s = r.sampling;
    using namespace text::sampler_limits;
    if (const json* v = field(body, "temperature"))
        s.temperature = static_cast<float>(number_field(*v, "temperature", {0.0, 2.0}));
    if (const json* v = field(body, "top_p"))
        s.top_p = static_cast<float>(number_field(*v, "top_p", top_p));
    if (const json* v = field(body, "top_k"))
        s.top_k = static_cast<std::int32_t>(integer_field(*v, "top_k", top_k));
    if (const json* v = field(body, "min_p"))
        s.min_p = static_cast<float>(number_field(*v, "min_p", min_p));
    if (const json* v = field(body, "presence_penalty"))
        s.presence_penalty = static_cast<float>(number_field(*v, "presence_penalty", {-2.0, 2.0}));
    if (const json* v = field(body, "frequency_penalty"))
        s.frequency_penalty =
            static_cast<float>(number_field(*v, "frequency_penalty", {-2.0, 2.0}));
    if (const json* v = field(body, "seed"))
        s.seed = static_cast<std::uint64_t>(integer_field(*v, "seed", {}));

    r.max_tokens = limits.max_tokens;
    for (const char* key : {"max_tokens", "max_completion_tokens"}) {
        const json* v = field(body, key);
        if (v == nullptr) continue;
        const auto n = integer_field(*v, key, {1.0});
        if (n > limits.max_tokens)
            throw bad_request(std::string(key) + " is " + std::to_string(n) +
                                  "; this server allows at most " +
                                  std::to_string(limits.max_tokens),
                              key);
        r.max_tokens = n;
    }

    if (const json* v = field(body, "stop")) {
        if (v->is_string()) {
            r.stop.push_back(v->get<std::string>());
        } else if (v->is_array()) {
            if (v->size() > limits.max_stop_strings)
                throw bad_request("stop has " + std::to_string(v->size()) + " sequences; at most " +
                                      std::to_string(limits.max_stop_strings) + " are allowed",
                                  "stop");
            for (std::size_t i = 0; i < v->size(); ++i)
                r.stop.push_back(string_field((*v)[i], "stop[" + std::to_string(i) + "]"));
        } else {
            wrong_type("stop", *v, "a string or an array of strings");
        }
        for (const auto& stop : r.stop) {
            if (stop.empty()) throw bad_request("stop sequences must not be empty", "stop");
            if (stop.size() > limits.max_stop_bytes)
                throw bad_request("a stop sequence is longer than " +
                                      std::to_string(limits.max_stop_bytes) + " bytes",
                                  "stop");
        }
    }
    return r;
}

ChatRole parse_role(const json& v, const std::string& param) {
    const std::string& role = string_field(v, param);
    if (role == "system" || role == "developer") return ChatRole::system;
    if (role == "user") return ChatRole::user;
    if (role == "assistant") return ChatRole::assistant;
    throw bad_request(param + " is '" + role +
                          "'; this server takes system, developer, user and assistant messages",
                      param);
}

media::Audio decode_input_audio(const json& part, const std::string& param,
                                const ServerLimits& limits) {
    const json* audio = field(part, "input_audio");
    if (audio == nullptr || !audio->is_object())
        throw bad_request(param + ".input_audio must be an object with data and format",
                          param + ".input_audio");
    const json* data = field(*audio, "data");
    if (data == nullptr) throw bad_request("missing " + param + ".input_audio.data", param);
    const std::string& text = string_field(*data, param + ".input_audio.data");
    if (base64_decoded_size(text) > limits.max_audio_bytes)
        throw bad_request(param + ": the sound is larger than " +
                              std::to_string(limits.max_audio_bytes >> 20) + " MiB",
                          param + ".input_audio.data");
    const auto bytes = decode_base64(text);
    if (!bytes) throw bad_request(param + ".input_audio.data is not valid base64", param);
    media::AudioDecodeLimits audio_limits;
    audio_limits.max_bytes = limits.max_audio_bytes;
    audio_limits.max_seconds = limits.max_audio_seconds;
    try {
        return media::decode_audio_memory(*bytes, param, audio_limits);
    } catch (const Error& e) {
        throw bad_request(e.what(), param + ".input_audio");
    }
}

InputMessage parse_message(const json& m, const std::string& param, const ModelFeatures& model,
                           const ServerLimits& limits, std::size_t& images) {
    if (!m.is_object()) wrong_type(param, m, "an object");
    InputMessage out;
    const json* role = field(m, "role");
    if (role == nullptr) throw bad_request("missing " + param + ".role", param + ".role");
    out.role = parse_role(*role, param + ".role");
    const json* content = field(m, "content");
    const std::string content_param = param + ".content";
    if (content == nullptr) throw bad_request("missing " + content_param, content_param);
    if (content->is_string()) {
        out.parts.push_back(MessagePart::of_text(content->get<std::string>()));
        return out;
    }
    if (!content->is_array()) wrong_type(content_param, *content, "a string or an array");
    for (std::size_t i = 0; i < content->size(); ++i) {
        const json& part = (*content)[i];
        const std::string part_param = content_param + "[" + std::to_string(i) + "]";
        if (!part.is_object()) wrong_type(part_param, part, "an object");
        const json* type = field(part, "type");
        if (type == nullptr) throw bad_request("missing " + part_param + ".type", part_param);
        const std::string& kind = string_field(*type, part_param + ".type");
        if (kind == "text") {
            const json* text = field(part, "text");
            if (text == nullptr) throw bad_request("missing " + part_param + ".text", part_param);
            out.parts.push_back(MessagePart::of_text(string_field(*text, part_param + ".text")));
        } else if (kind == "image_url") {
            if (out.role != ChatRole::user)
                throw bad_request("images are allowed in user messages only", part_param);
            if (!model.vision)
                throw bad_request("the model '" + model.id +
                                      "' has no vision encoder (start the server with --mmproj)",
                                  part_param, "model_without_vision");
            if (++images > limits.max_images)
                throw bad_request(
                    "more than " + std::to_string(limits.max_images) + " images in one request",
                    part_param);
            const json* image = field(part, "image_url");
            const json* url =
                image != nullptr && image->is_object() ? field(*image, "url") : nullptr;
            if (url == nullptr)
                throw bad_request(part_param + ".image_url must be an object with a url",
                                  part_param);
            out.parts.push_back(MessagePart::of_image(decode_image_url(
                string_field(*url, part_param + ".image_url.url"), part_param, limits)));
        } else if (kind == "input_audio") {
            if (out.role != ChatRole::user)
                throw bad_request("sound is allowed in user messages only", part_param);
            // Decoded and capped here; whether the model hears is the session's to say.
            out.parts.push_back(MessagePart::of_audio(std::make_shared<const media::Audio>(
                decode_input_audio(part, part_param, limits))));
        } else {
            throw bad_request(
                part_param + ".type '" + kind + "' is not one of text, image_url, input_audio",
                part_param + ".type");
        }
    }
    if (out.parts.empty()) throw bad_request(content_param + " is empty", content_param);
    return out;
}

}  // namespace

json parse_body(const std::string& body) {
    json parsed;
    try {
        parsed = json::parse(body);
    } catch (const json::parse_error& e) {
        throw bad_request(std::string("the body is not valid JSON: ") + e.what());
    }
    if (!parsed.is_object()) throw bad_request("the body must be a JSON object");
    return parsed;
}

std::shared_ptr<const media::Image> decode_image_url(const std::string& url,
                                                     const std::string& param,
                                                     const ServerLimits& limits) {
    // data:[<media type>][;base64],<data>
    const std::string_view u(url);
    const auto comma = u.find(',');
    if (!u.starts_with("data:") || comma == std::string_view::npos ||
        !u.substr(0, comma).ends_with(";base64"))
        throw bad_request(param +
                              ": images must be sent as base64 data URLs "
                              "(data:image/png;base64,...); this server fetches no URLs "
                              "and reads no files",
                          param, "invalid_image_url");
    const std::string_view data = u.substr(comma + 1);
    if (base64_decoded_size(data) > limits.max_image_bytes)
        throw bad_request(param + ": the image is larger than " +
                              std::to_string(limits.max_image_bytes >> 20) + " MiB",
                          param);
    const auto bytes = decode_base64(data);
    if (!bytes) throw bad_request(param + ": the data URL is not valid base64", param);
    media::DecodeLimits decode_limits;
    decode_limits.max_bytes = limits.max_image_bytes;
    decode_limits.max_pixels = limits.max_image_pixels;
    try {
        return std::make_shared<const media::Image>(
            media::decode_image_memory(*bytes, param, decode_limits));
    } catch (const Error& e) {
        throw bad_request(e.what(), param, "invalid_image");
    }
}

ChatRequest parse_chat_request(const json& body, const ModelFeatures& model,
                               const ServerLimits& limits) {
    ChatRequest r;
    r.generation = parse_generation(body, model, limits);
    const json* messages = field(body, "messages");
    if (messages == nullptr) throw bad_request("missing messages", "messages");
    if (!messages->is_array()) wrong_type("messages", *messages, "an array");
    if (messages->empty()) throw bad_request("messages must not be empty", "messages");
    if (messages->size() > limits.max_messages)
        throw bad_request("more than " + std::to_string(limits.max_messages) + " messages",
                          "messages");
    std::size_t images = 0;
    for (std::size_t i = 0; i < messages->size(); ++i)
        r.messages.push_back(parse_message((*messages)[i], "messages[" + std::to_string(i) + "]",
                                           model, limits, images));
    return r;
}

CompletionRequest parse_completion_request(const json& body, const ModelFeatures& model,
                                           const ServerLimits& limits) {
    CompletionRequest r;
    r.generation = parse_generation(body, model, limits);
    const json* prompt = field(body, "prompt");
    if (prompt == nullptr) throw bad_request("missing prompt", "prompt");
    if (prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string())
        r.prompt = (*prompt)[0].get<std::string>();
    else if (prompt->is_string())
        r.prompt = prompt->get<std::string>();
    else
        wrong_type("prompt", *prompt, "a string (or an array of one string)");
    if (r.prompt.empty()) throw bad_request("prompt must not be empty", "prompt");
    for (const char* key : {"echo", "suffix", "logprobs", "best_of"}) {
        const json* v = field(body, key);
        if (v != nullptr && *v != false && !(key == std::string_view("best_of") && *v == 1))
            throw bad_request(std::string(key) + " is not supported by this server", key);
    }
    return r;
}

}  // namespace prism::server
