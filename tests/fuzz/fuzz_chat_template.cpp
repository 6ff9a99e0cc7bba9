// libFuzzer entry: a chat template's source and a conversation, rendered.
//
// Input: fields separated by NUL bytes: the template source, the BOS text, the EOS text, the
// options, then one field per message whose first byte is its role ('s', 'u', 'a'; other
// bytes by value) and whose rest is its content. Options: 'b' = tokenizer adds BOS, 'g' = add
// the generation prompt, 'i' = every user message starts with an image, 'd' = a fixed date.
// tools/make_fuzz_corpus.py writes seeds in this form from tests/data/chat.
//
// An Error from render() (no messages, Gemma's role order) is expected; anything else
// escaping, a sanitizer report or a broken invariant (below) is a bug.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prism/chat_template.hpp"
#include "prism/error.hpp"
#include "prism/media/image.hpp"
#include "text/chat_template.hpp"

namespace {

using namespace prism;

std::vector<std::string_view> split_fields(std::string_view input) {
    std::vector<std::string_view> fields;
    std::size_t begin = 0;
    while (true) {
        const std::size_t end = input.find('\0', begin);
        fields.push_back(input.substr(begin, end - begin));
        if (end == std::string_view::npos) return fields;
        begin = end + 1;
    }
}

ChatRole role_of(char c) {
    switch (c) {
        case 's':
            return ChatRole::system;
        case 'u':
            return ChatRole::user;
        case 'a':
            return ChatRole::assistant;
        default:
            return static_cast<ChatRole>(static_cast<unsigned char>(c) % 3);
    }
}

bool contains(std::string_view haystack, std::string_view needle) {
    return haystack.find(needle) != std::string_view::npos;
}

// Properties of the string helpers the renderer is built on.
void check_helpers(std::string_view s) {
    const std::string_view stripped = text::python_strip(s);
    if (!contains(s, stripped) || text::python_strip(stripped) != stripped) __builtin_trap();
    if (text::jinja_unescape(s).size() > s.size()) __builtin_trap();
    if (text::ascii_capitalize(s).size() != s.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string_view> fields = split_fields(input);
    const auto field = [&](std::size_t i) { return i < fields.size() ? fields[i] : ""; };

    const std::string_view source = field(0), options = field(3);
    ChatTokens tokens;
    tokens.bos = std::string(field(1));
    tokens.eos = std::string(field(2));
    tokens.add_bos = contains(options, "b");
    ChatTemplate chat = ChatTemplate::from_source(source, tokens);
    if (contains(options, "d")) chat.set_date_string("26 Jul 2024");
    if (chat.is_fallback() && chat.format() != ChatFormat::chatml) __builtin_trap();
    check_helpers(source);
    if (text::find_default_system_prompt(source).size() > source.size()) __builtin_trap();
    if (text::find_template_date(source).size() > source.size()) __builtin_trap();

    const auto image = std::make_shared<const media::Image>();
    std::vector<ChatMessage> messages;
    for (std::size_t i = 4; i < fields.size(); ++i) {
        ChatMessage m;
        m.role = fields[i].empty() ? ChatRole::user : role_of(fields[i][0]);
        m.content = std::string(fields[i].empty() ? "" : fields[i].substr(1));
        if (m.role == ChatRole::user && contains(options, "i")) {
            m.parts = {MessagePart::of_image(image), MessagePart::of_text(m.content)};
        }
        check_helpers(m.content);
        messages.push_back(std::move(m));
    }

    ChatPrompt prompt;
    try {
        prompt = chat.render(messages, contains(options, "g"));
    } catch (const Error&) {
        return 0;
    }
    if (prompt.begins_with_bos != (!tokens.bos.empty() && prompt.text.starts_with(tokens.bos))) {
        __builtin_trap();
    }
    if (prompt.add_bos && (!chat.is_fallback() || prompt.begins_with_bos)) __builtin_trap();
    // ChatML and SmolVLM write every content as it is; the others trim it. Gemma writes a
    // system message into the first user turn, so not at all when there is none (as its
    // Jinja template does).
    const bool system_only = messages.size() == 1 && messages[0].role == ChatRole::system;
    if (chat.format() == ChatFormat::gemma && system_only) return 0;
    for (const ChatMessage& m : messages) {
        const std::string_view written =
            chat.format() == ChatFormat::chatml || chat.format() == ChatFormat::smolvlm
                ? std::string_view(m.content)
                : text::python_strip(m.content);
        if (!contains(prompt.text, written)) __builtin_trap();
    }
    return 0;
}
