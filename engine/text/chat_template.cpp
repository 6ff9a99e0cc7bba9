#include "text/chat_template.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/gguf.hpp"

namespace prism {

namespace text {
namespace {

// Decodes the UTF-8 character starting at s[i]; returns its length (0 if invalid).
std::size_t decode_at(std::string_view s, std::size_t i, char32_t& cp) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = b0 < 0x80           ? 1
                      : (b0 >> 5) == 0x6  ? 2
                      : (b0 >> 4) == 0xE  ? 3
                      : (b0 >> 3) == 0x1E ? 4
                                          : 0;
    if (len == 0 || i + len > s.size()) return 0;
    cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1F) : len == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b >> 6) != 0x2) return 0;
        cp = (cp << 6) | (b & 0x3F);
    }
    return len;
}

// Python's str.isspace(): the characters whose bidirectional class is WS, B or S, or whose
// category is Zs.
bool is_python_space(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
           c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

std::string_view python_strip(std::string_view s) {
    std::size_t begin = 0;
    while (begin < s.size()) {
        char32_t cp = 0;
        const std::size_t len = decode_at(s, begin, cp);
        if (len == 0 || !is_python_space(cp)) break;
        begin += len;
    }
    // Walk forward recording where the last non-space character ends, so that multi-byte
    // characters are never split when scanning from the back.
    std::size_t end = begin;
    for (std::size_t i = begin; i < s.size();) {
        char32_t cp = 0;
        const std::size_t len = decode_at(s, i, cp);
        if (len == 0) {
            end = ++i;  // an invalid byte is content
            continue;
        }
        i += len;
        if (!is_python_space(cp)) end = i;
    }
    return s.substr(begin, end - begin);
}

std::string ascii_capitalize(std::string_view s) {
    std::string out(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (i == 0 && c >= 'a' && c <= 'z') out[i] = static_cast<char>(c - 'a' + 'A');
        if (i > 0 && c >= 'A' && c <= 'Z') out[i] = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string jinja_unescape(std::string_view body) {
    std::string out;
    out.reserve(body.size());
    for (std::size_t i = 0; i < body.size(); ++i) {
        if (body[i] != '\\' || i + 1 == body.size()) {
            out += body[i];
            continue;
        }
        const char next = body[++i];
        switch (next) {
            case 'n':
                out += '\n';
                break;
            case 't':
                out += '\t';
                break;
            case 'r':
                out += '\r';
                break;
            case '\\':
            case '\'':
            case '"':
                out += next;
                break;
            default:
                out += '\\';
                out += next;
        }
    }
    return out;
}

namespace {
bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}
}  // namespace

std::optional<ChatFormat> recognise_chat_format(std::string_view source) {
    if (contains(source, "<start_of_turn>")) return ChatFormat::gemma;
    if (contains(source, "<|start_header_id|>") && contains(source, "<|eot_id|>")) {
        return contains(source, "Cutting Knowledge Date") ? ChatFormat::llama31
                                                          : ChatFormat::llama3;
    }
    if (contains(source, "<end_of_utterance>") && contains(source, "Assistant:")) {
        return ChatFormat::smolvlm;
    }
    // Phi-4 also uses <|im_start|>, but separates role and content with <|im_sep|>.
    if (contains(source, "<|im_start|>") && contains(source, "<|im_end|>") &&
        !contains(source, "<|im_sep|>")) {
        return ChatFormat::chatml;
    }
    return std::nullopt;
}

std::string find_default_system_prompt(std::string_view source) {
    constexpr std::string_view head = "<|im_start|>system";
    for (std::size_t at = source.find(head); at != std::string_view::npos;
         at = source.find(head, at + 1)) {
        std::size_t body = at + head.size();
        // The newline after the role is written as an escape inside a string literal or, in
        // templates stored decoded, as a real newline.
        if (source.substr(body, 2) == "\\n") {
            body += 2;
        } else if (source.substr(body, 1) == "\n") {
            body += 1;
        } else {
            continue;
        }
        const std::size_t end = source.find("<|im_end|>", body);
        if (end == std::string_view::npos || end == body) continue;
        const std::string_view text = source.substr(body, end - body);
        // A literal default, not the start of "'...system\n' + messages[0]['content']".
        if (text.find_first_of("'\"{}") != std::string_view::npos) continue;
        return jinja_unescape(text);
    }
    return {};
}

std::string find_template_date(std::string_view source) {
    constexpr std::string_view key = "set date_string = \"";
    const std::size_t at = source.find(key);
    if (at == std::string_view::npos) return {};
    const std::size_t begin = at + key.size();
    const std::size_t end = source.find('"', begin);
    if (end == std::string_view::npos) return {};
    return std::string(source.substr(begin, end - begin));
}

}  // namespace text

std::string_view chat_role_name(ChatRole role) {
    switch (role) {
        case ChatRole::system:
            return "system";
        case ChatRole::user:
            return "user";
        case ChatRole::assistant:
            return "assistant";
    }
    return "?";
}

std::string_view chat_format_name(ChatFormat format) {
    switch (format) {
        case ChatFormat::chatml:
            return "chatml";
        case ChatFormat::llama3:
            return "llama3";
        case ChatFormat::llama31:
            return "llama3.1";
        case ChatFormat::gemma:
            return "gemma";
        case ChatFormat::smolvlm:
            return "smolvlm";
    }
    return "?";
}

ChatTemplate ChatTemplate::chatml(Tokens tokens) {
    ChatTemplate t;
    t.tokens_ = std::move(tokens);
    return t;
}

ChatTemplate ChatTemplate::from_source(std::string_view source, Tokens tokens) {
    ChatTemplate t;
    t.tokens_ = std::move(tokens);
    const std::optional<ChatFormat> format = text::recognise_chat_format(source);
    if (!format) {
        t.warning_ =
            source.empty()
                ? "the model has no chat template; using ChatML, which it may not understand"
                : "unrecognised chat template; using ChatML, which the model may not understand";
        return t;
    }
    t.format_ = *format;
    if (t.format_ == ChatFormat::chatml)
        t.default_system_ = text::find_default_system_prompt(source);
    if (t.format_ == ChatFormat::llama31) {
        t.template_date_ = text::find_template_date(source);
        t.date_from_clock_ = source.find("strftime_now") != std::string_view::npos;
    }
    return t;
}

ChatTemplate ChatTemplate::from_gguf(const gguf::File& file) {
    Tokens tokens;
    tokens.add_bos = file.get_or<bool>("tokenizer.ggml.add_bos_token", false);
    std::vector<std::string_view> vocab;
    if (const gguf::Value* v = file.find("tokenizer.ggml.tokens");
        v != nullptr && v->is_array() && v->element_type() == gguf::ValueType::String) {
        vocab = v->as_array<std::string_view>();
    }
    const auto token_text = [&](std::string_view key) -> std::string {
        const gguf::Value* id = file.find(key);
        if (id == nullptr || id->is_array()) return {};
        const auto index = id->as_integer<std::uint64_t>();
        return index < vocab.size() ? std::string(vocab[index]) : std::string();
    };
    tokens.bos = token_text("tokenizer.ggml.bos_token_id");
    tokens.eos = token_text("tokenizer.ggml.eos_token_id");

    const auto source = file.get_optional<std::string_view>("tokenizer.chat_template");
    if (source && !source->empty()) return from_source(*source, std::move(tokens));

    // No template: the special tokens in the vocabulary tell which format the model was tuned on.
    const auto has_token = [&](std::string_view text) {
        for (const std::string_view t : vocab) {
            if (t == text) return true;
        }
        return false;
    };
    struct Guess {
        std::string_view token;
        ChatFormat format;
    };
    constexpr std::array guesses{Guess{"<start_of_turn>", ChatFormat::gemma},
                                 Guess{"<|start_header_id|>", ChatFormat::llama3},
                                 Guess{"<|im_start|>", ChatFormat::chatml}};
    ChatTemplate t = chatml(std::move(tokens));
    for (const Guess& g : guesses) {
        if (has_token(g.token)) {
            t.format_ = g.format;
            t.warning_ = "the model has no chat template; using " +
                         std::string(chat_format_name(g.format)) + ", guessed from its " +
                         std::string(g.token) + " token";
            return t;
        }
    }
    t.warning_ = "the model has no chat template; using ChatML, which it may not understand";
    return t;
}

std::string ChatTemplate::today_or_fixed_date() const {
    if (!date_string_.empty()) return date_string_;
    if (!date_from_clock_ && !template_date_.empty()) return template_date_;
    if (!date_from_clock_)
        return "26 Jul 2024";  // what Llama 3.1's template sets when nothing does
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%d %b %Y", &local);
    return std::string(buf.data(), n);
}

namespace {

std::string chatml_turn(std::string_view role, std::string_view content) {
    std::string s = "<|im_start|>";
    s += role;
    s += '\n';
    s += content;
    s += "<|im_end|>\n";
    return s;
}

std::string llama3_turn(std::string_view role, std::string_view content) {
    std::string s = "<|start_header_id|>";
    s += role;
    s += "<|end_header_id|>\n\n";
    s += text::python_strip(content);
    s += "<|eot_id|>";
    return s;
}

}  // namespace

ChatPrompt ChatTemplate::render(std::span<const ChatMessage> messages,
                                bool add_generation_prompt) const {
    if (messages.empty()) {
        throw Error("chat template: the conversation has no messages");
    }
    const bool first_is_system = messages.front().role == ChatRole::system;
    std::string out;
    switch (format_) {
        case ChatFormat::chatml:
            if (!first_is_system && !default_system_.empty()) {
                out += chatml_turn("system", default_system_);
            }
            for (const ChatMessage& m : messages)
                out += chatml_turn(chat_role_name(m.role), m.content);
            if (add_generation_prompt) out += "<|im_start|>assistant\n";
            break;

        case ChatFormat::llama3:
            out += tokens_.bos;
            for (const ChatMessage& m : messages)
                out += llama3_turn(chat_role_name(m.role), m.content);
            if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
            break;

        case ChatFormat::llama31: {
            out += tokens_.bos;
            out += "<|start_header_id|>system<|end_header_id|>\n\n";
            out += "Cutting Knowledge Date: December 2023\n";
            out += "Today Date: " + today_or_fixed_date() + "\n\n";
            if (first_is_system) out += text::python_strip(messages.front().content);
            out += "<|eot_id|>";
            for (const ChatMessage& m : messages.subspan(first_is_system ? 1 : 0)) {
                out += llama3_turn(chat_role_name(m.role), m.content);
            }
            if (add_generation_prompt) out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
            break;
        }

        case ChatFormat::gemma: {
            // Gemma has no system role: its template prepends the system text (untrimmed) and a
            // blank line to the first turn.
            out += tokens_.bos;
            const auto turns = messages.subspan(first_is_system ? 1 : 0);
            for (std::size_t i = 0; i < turns.size(); ++i) {
                const ChatMessage& m = turns[i];
                const ChatRole expected = i % 2 == 0 ? ChatRole::user : ChatRole::assistant;
                if (m.role != expected) {
                    throw Error(
                        "chat template (gemma): conversation roles must alternate "
                        "user/assistant/user/assistant/... after an optional first "
                        "system message; message " +
                        std::to_string(i + (first_is_system ? 1 : 0) + 1) + " is " +
                        std::string(chat_role_name(m.role)));
                }
                out += "<start_of_turn>";
                out += m.role == ChatRole::assistant ? "model" : "user";
                out += '\n';
                if (i == 0 && first_is_system) {
                    out += messages.front().content;
                    out += "\n\n";
                }
                out += text::python_strip(m.content);
                out += "<end_of_turn>\n";
            }
            if (add_generation_prompt) out += "<start_of_turn>model\n";
            break;
        }

        case ChatFormat::smolvlm:
            // "<|im_start|>" is written once, as text: it is SmolVLM's BOS.
            out += "<|im_start|>";
            for (const ChatMessage& m : messages) {
                out += text::ascii_capitalize(chat_role_name(m.role));
                // SmolVLM's template: "User:" right before a leading image, else "User: ".
                const bool image_first = !m.parts.empty() && m.parts.front().is_image();
                out += image_first ? ":" : ": ";
                out += m.content;
                out += "<end_of_utterance>\n";
            }
            if (add_generation_prompt) out += "Assistant:";
            break;
    }

    ChatPrompt prompt;
    prompt.begins_with_bos = !tokens_.bos.empty() && out.starts_with(tokens_.bos);
    // Only the fallback leaves BOS to the tokenizer: recognised templates write it themselves.
    prompt.add_bos = is_fallback() && tokens_.add_bos && !prompt.begins_with_bos;
    prompt.text = std::move(out);
    return prompt;
}

}  // namespace prism
