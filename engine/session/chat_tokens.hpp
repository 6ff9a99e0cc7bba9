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

}  // namespace prism::session
