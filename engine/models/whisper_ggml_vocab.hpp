#pragma once

// The vocabulary of a whisper.cpp Whisper file as a GGUF byte-level BPE. The file holds only
// the regular tokens, as raw bytes in rank order (tiktoken's gpt2 / multilingual tables); the
// special tokens sit at fixed places that depend on the vocabulary size, and BPE merges follow
// from the ranks (a token's merge is the last step of byte-pair encoding its own bytes with
// the tokens ranked before it).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace prism::models {

// Whisper's vocabulary sizes: English-only, multilingual, large-v3 (one language more).
inline constexpr std::int64_t kWhisperVocabEnglish = 51864;
inline constexpr std::int64_t kWhisperVocabLargeV3 = 51866;

struct WhisperGgmlVocab {
    std::vector<std::string> texts;   // n_vocab, byte-level BPE text (GPT-2's byte alphabet)
    std::vector<std::int32_t> types;  // 1 normal, 3 control (from <|endoftext|> on)
    std::vector<std::string> merges;  // "A B", in rank order
    std::int32_t eot = 0, sot = 0;
    std::vector<std::int32_t> languages;  // the language tokens, in Whisper's order
    std::optional<std::int32_t> space;    // the token of a lone " "
};

// The number of regular tokens (the id of <|endoftext|>) for a vocabulary size.
std::int32_t whisper_regular_tokens(std::int64_t n_vocab);

// `regular`: the file's first whisper_regular_tokens(n_vocab) tokens as raw bytes; `n_vocab`
// one of Whisper's sizes (checked by the caller).
WhisperGgmlVocab whisper_ggml_vocab(std::span<const std::string> regular, std::int64_t n_vocab);

// Merges from ranks, for tokens given as raw bytes in rank order.
std::vector<std::string> merges_from_ranks(std::span<const std::string> tokens);

}  // namespace prism::models
