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

// Stands in for an image or a sound inside a message's content while rendering: one private-use
// character (not whitespace, so no template strips it).
constexpr std::string_view kImageStandIn = "\xEE\x80\x82";

struct Part {
    std::string_view text;
    bool is_content;
    std::size_t message = 0;  // content parts: which message
};

// Splits the rendered prompt into template text and message contents (views into real.text);
// `messages` must be the ones rendered into `real`.
std::vector<Part> split_rendered(const ChatTemplate& chat, const ChatPrompt& real,
                                 std::span<const ChatMessage> messages) {
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
        // A view into real.text, which outlives the parts (template_parts does not).
        const std::string_view template_text = rest.substr(0, template_parts[k].size());
        if (!consume(template_parts[k])) {
            throw Error("chat template (" + std::string(chat_format_name(chat.format())) +
                        "): cannot separate message contents from template text");
        }
        parts.push_back({template_text, false});
        if (k == content_of.size()) break;
        const std::string& content = messages[content_of[k]].content;
        const std::string_view next = template_parts[k + 1];
        bool matched = false;
        for (const std::string_view candidate :
             {std::string_view(content), text::python_strip(content)}) {
            if (rest.substr(0, candidate.size()) == candidate &&
                rest.substr(candidate.size(), next.size()) == next) {
                parts.push_back({candidate, true, content_of[k]});
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

    return parts;
}

}  // namespace

std::vector<text::TokenId> tokenize_chat(const ChatTemplate& chat, const text::Tokenizer& tokenizer,
                                         std::span<const ChatMessage> messages) {
    const ChatPrompt real = chat.render(messages, true);
    const std::vector<Part> parts = split_rendered(chat, real, messages);
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

std::vector<ChatPiece> tokenize_chat_with_media(const ChatTemplate& chat,
                                                const text::Tokenizer& tokenizer,
                                                std::span<const ChatMessage> messages) {
    // Contents with a stand-in per medium, and where each stand-in is (offset, media number).
    std::vector<ChatMessage> rendered(messages.begin(), messages.end());
    std::vector<std::vector<std::pair<std::size_t, int>>> images(messages.size());
    int n_images = 0;
    for (std::size_t i = 0; i < rendered.size(); ++i) {
        if (rendered[i].parts.empty()) continue;
        std::string content;
        for (const MessagePart& part : rendered[i].parts) {
            if (part.is_media()) {
                images[i].emplace_back(content.size(), n_images++);
                content += kImageStandIn;
            } else {
                content += part.text;
            }
        }
        // The parts stay: a template may render differently around a leading image (SmolVLM).
        rendered[i].content = std::move(content);
    }
    const ChatPrompt real = chat.render(rendered, true);
    const std::vector<Part> parts = split_rendered(chat, real, rendered);

    std::vector<ChatPiece> pieces;
    bool first = true;
    const auto add_text = [&](std::string_view text, bool is_content) {
        if (text.empty() && !(first && real.add_bos)) return;
        text::EncodeOptions o;
        o.add_special = first && real.add_bos;
        o.parse_special = !is_content;
        const auto ids = tokenizer.encode(text, o);
        if (pieces.empty() || pieces.back().media >= 0) pieces.emplace_back();
        pieces.back().tokens.insert(pieces.back().tokens.end(), ids.begin(), ids.end());
        first = false;
    };
    for (const Part& part : parts) {
        if (!part.is_content) {
            add_text(part.text, false);
            continue;
        }
        // The content as rendered may be the stripped one: offsets move by what was cut.
        const std::string& content = rendered[part.message].content;
        const auto begin = static_cast<std::size_t>(part.text.data() - content.data());
        std::size_t at = begin;
        for (const auto& [offset, image] : images[part.message]) {
            if (offset < begin || offset + kImageStandIn.size() > begin + part.text.size())
                continue;  // never happens: stand-ins are not whitespace
            add_text(std::string_view(content).substr(at, offset - at), true);
            if (first && real.add_bos) add_text("", true);  // BOS before leading media
            pieces.push_back({{}, image});
            at = offset + kImageStandIn.size();
        }
        add_text(std::string_view(content).substr(at, begin + part.text.size() - at), true);
    }
    return pieces;
}

}  // namespace prism::session
