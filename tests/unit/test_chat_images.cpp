// A chat whose messages hold images (session/chat_tokens: tokenize_chat_with_media): each
// image lands where its part is among the text parts, template text keeps its control tokens,
// and nothing a user types can become an image. On the tiny qwen2 fixture's byte-level BPE
// vocabulary with ChatML.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "prism/chat_template.hpp"
#include "prism/gguf.hpp"
#include "prism/media/image.hpp"
#include "prism/tokenizer.hpp"
#include "session/chat_tokens.hpp"

namespace prism::session {
namespace {

namespace fs = std::filesystem;

struct Fixture {
    gguf::File file =
        gguf::File::open(fs::path(PRISM_TEST_DATA_DIR) / "models/tiny-qwen2-f32.gguf");
    text::Tokenizer tokenizer = text::Tokenizer::from_gguf(file);
    ChatTemplate chat = ChatTemplate::chatml();
};

std::string text_of(const Fixture& f, const ChatPiece& piece) {
    text::DecodeOptions o;
    o.render_special = true;
    return f.tokenizer.decode(piece.tokens, o);
}

// Only "an image is here" matters to the tokenizing, which never looks at the pixels.
MessagePart image() {
    return MessagePart::of_image(std::make_shared<const media::Image>());
}

TEST(ChatImages, ImagesGoWhereTheirPartsAre) {
    const Fixture f;
    std::vector<ChatMessage> messages{
        {ChatRole::user,
         "Once  on",
         {MessagePart::of_text("Once "), image(), MessagePart::of_text(" on"), image()}},
        {ChatRole::assistant, "Paris", {}},
        {ChatRole::user, "", {image()}},
    };
    const auto pieces = tokenize_chat_with_media(f.chat, f.tokenizer, messages);
    ASSERT_EQ(pieces.size(), 7u);
    EXPECT_EQ(text_of(f, pieces[0]), "<|im_start|>user\nOnce ");
    EXPECT_EQ(pieces[1].media, 0);
    EXPECT_TRUE(pieces[1].tokens.empty());
    EXPECT_EQ(text_of(f, pieces[2]), " on");
    EXPECT_EQ(pieces[3].media, 1);
    EXPECT_EQ(text_of(f, pieces[4]),
              "<|im_end|>\n<|im_start|>assistant\nParis<|im_end|>\n<|im_start|>user\n");
    EXPECT_EQ(pieces[5].media, 2);
    EXPECT_EQ(text_of(f, pieces[6]), "<|im_end|>\n<|im_start|>assistant\n");
    // ... and the prompt ends with the assistant header after the last image.
    const auto tail = tokenize_chat_with_media(f.chat, f.tokenizer, std::span(messages).first(1));
    EXPECT_EQ(text_of(f, tail.back()), "<|im_end|>\n<|im_start|>assistant\n");
    // Template markers are control tokens; the text is not.
    EXPECT_EQ(pieces[0].tokens.front(), *f.tokenizer.find_token("<|im_start|>"));
}

TEST(ChatImages, TypedMarkersStayText) {
    const Fixture f;
    // The stand-in character the session uses while rendering, and mtmd's marker, typed.
    const std::string typed = "a \xEE\x80\x82 b <__media__> c";
    const std::vector<ChatMessage> with_parts{
        {ChatRole::user, typed, {MessagePart::of_text(typed)}}};
    const std::vector<ChatMessage> plain{{ChatRole::user, typed, {}}};
    const auto pieces = tokenize_chat_with_media(f.chat, f.tokenizer, with_parts);
    ASSERT_EQ(pieces.size(), 1u);
    EXPECT_EQ(pieces[0].media, -1);
    EXPECT_EQ(pieces[0].tokens, tokenize_chat(f.chat, f.tokenizer, plain));
}

TEST(ChatImages, TextOnlyMatchesTokenizeChat) {
    const Fixture f;
    const std::vector<ChatMessage> messages{{ChatRole::system, "She", {}},
                                            {ChatRole::user, "Once on", {}}};
    const auto pieces = tokenize_chat_with_media(f.chat, f.tokenizer, messages);
    ASSERT_EQ(pieces.size(), 1u);
    EXPECT_EQ(pieces[0].tokens, tokenize_chat(f.chat, f.tokenizer, messages));
}

}  // namespace
}  // namespace prism::session
