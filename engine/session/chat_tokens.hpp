#pragma once

// Tokenizing a rendered chat so that only the template's own text can become control tokens.

#include <span>
#include <vector>

#include "prism/chat_template.hpp"
#include "prism/tokenizer.hpp"

namespace prism::session {

// Renders `messages` (with the assistant's turn header) and tokenizes the template's text with
// special-token parsing and every message content without it. Throws Error when the template
// rejects the conversation.
std::vector<text::TokenId> tokenize_chat(const ChatTemplate& chat, const text::Tokenizer& tokenizer,
                                         std::span<const ChatMessage> messages);

// A tokenized chat with media: text tokens, or (media >= 0) the place of the conversation's
// media part number `media` (counting the image and sound parts of all messages in order).
struct ChatPiece {
    std::vector<text::TokenId> tokens;
    int media = -1;
};

// As tokenize_chat, with each message's image and sound parts (ChatMessage::parts) placed where
// they are among its text parts. The template sees a private stand-in character for each and
// the split happens at the recorded offsets, so text a user types (whatever it contains) never
// becomes an image or a sound.
std::vector<ChatPiece> tokenize_chat_with_media(const ChatTemplate& chat,
                                                const text::Tokenizer& tokenizer,
                                                std::span<const ChatMessage> messages);

}  // namespace prism::session
