#include "session/chat_tokens.hpp"

#include <string>
#include <string_view>

#include "prism/error.hpp"
#include "text/chat_template.hpp"

namespace prism::session {
namespace {

// Stands in for message `i` while rendering: private-use characters that no template strips
// or rewrites, so the rendered text shows exactly where each content goes.
std::string placeholder(std::size_t i) {
    return "\xEE\x80\x80" + std::to_string(i) + "\xEE\x80\x81";
}

struct Part {
    std::string_view text;
    bool is_content;
};

}  // namespace

std::vector<text::TokenId> tokenize_chat(const ChatTemplate& chat, const text::Tokenizer& tokenizer,
                                         std::span<const ChatMessage> messages) {
    const ChatPrompt real = chat.render(messages, true);

    std::vector<ChatMessage> masked(messages.begin(), messages.end());
    for (std::size_t i = 0; i < masked.size(); ++i) masked[i].content = placeholder(i);
    const ChatPrompt shape = chat.render(masked, true);

    // Walk the placeholder rendering and the real one side by side. A template may write a
    // content as is or stripped of surrounding whitespace (Llama 3, Gemma); whichever makes the
    // real text continue with the next piece of template text is the one it used.
    std::vector<std::string> template_parts;
    std::vector<std::size_t> content_of;  // message index after template_parts[i]
    std::size_t at = 0;
    while (true) {
        std::size_t best = std::string::npos, which = 0;
        for (std::size_t i = 0; i < masked.size(); ++i) {
            const std::size_t p = shape.text.find(masked[i].content, at);
            if (p < best) best = p, which = i;
        }
        template_parts.push_back(
            shape.text.substr(at, best == std::string::npos ? best : best - at));
        if (best == std::string::npos) break;
        content_of.push_back(which);
        at = best + masked[which].content.size();
    }

    std::vector<Part> parts;
    std::string_view rest = real.text;
    const auto consume = [&](std::string_view expected) {
        if (rest.substr(0, expected.size()) != expected) return false;
        rest.remove_prefix(expected.size());
        return true;
    };
    for (std::size_t k = 0; k < template_parts.size(); ++k) {
        if (!consume(template_parts[k])) {
            throw Error("chat template (" + std::string(chat_format_name(chat.format())) +
                        "): cannot separate message contents from template text");
        }
        parts.push_back({template_parts[k], false});
        if (k == content_of.size()) break;
        const std::string& content = messages[content_of[k]].content;
        const std::string_view next = template_parts[k + 1];
        bool matched = false;
        for (const std::string_view candidate :
             {std::string_view(content), text::python_strip(content)}) {
            if (rest.substr(0, candidate.size()) == candidate &&
                rest.substr(candidate.size(), next.size()) == next) {
                parts.push_back({candidate, true});
                rest.remove_prefix(candidate.size());
                matched = true;
                break;
            }
        }
        if (!matched) {
            throw Error("chat template (" + std::string(chat_format_name(chat.format())) +
                        "): cannot find a message's content in the rendered prompt");
        }
    }

    std::vector<text::TokenId> tokens;
    bool first = true;
    for (const Part& part : parts) {
        if (part.text.empty() && !(first && real.add_bos)) continue;
        text::EncodeOptions o;
        o.add_special = first && real.add_bos;
        o.parse_special = !part.is_content;
        const auto ids = tokenizer.encode(part.text, o);
        tokens.insert(tokens.end(), ids.begin(), ids.end());
        first = false;
    }
    return tokens;
}

}  // namespace prism::session
