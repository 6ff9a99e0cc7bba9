#pragma once

// The tokens Whisper never samples, for a model file that does not list them (whisper.cpp's
// ggml files): openai-whisper's non-speech tokens (symbols and music notes that are not
// speech, found by encoding them with the model's own tokenizer) and the special tokens that
// only start or steer a prompt. It gives the list the Hugging Face and CTranslate2 configs of
// Whisper carry as suppress_tokens.

#include <vector>

#include "prism/tokenizer.hpp"
#include "session/whisper_decoding.hpp"

namespace prism::session {

std::vector<TokenId> whisper_suppress_tokens(const text::Tokenizer& tokenizer,
                                             const WhisperTokens& special);

}  // namespace prism::session
