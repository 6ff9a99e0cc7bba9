#pragma once

// The vocabulary as read from a GGUF: token texts, types and scores, BPE merge ranks, special
// ids and the flags that steer tokenization. Plain data shared by the algorithms.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "prism/tokenizer.hpp"

namespace prism::gguf {
class File;
}

namespace prism::text {

struct Vocab {
    TokenizerKind kind = TokenizerKind::SentencePiece;
    std::string model;  // tokenizer.ggml.model
    std::string pre;    // tokenizer.ggml.pre, "default" when absent

    std::vector<std::string> texts;
    std::vector<TokenType> types;
    std::vector<float> scores;
    // Views into `texts`, which never changes size after loading.
    std::unordered_map<std::string_view, TokenId> ids;
    // "left right" as stored in tokenizer.ggml.merges -> rank (its index).
    std::unordered_map<std::string, int> merge_ranks;
    // SentencePiece byte fallback: the `<0xNN>` token of each byte, or -1.
    std::array<TokenId, 256> byte_tokens{};
    // phi-3 style: whitespace after a matched special token is dropped (llama.cpp's RSTRIP).
    std::vector<bool> rstrip;
    std::size_t max_token_bytes = 0;

    std::optional<TokenId> bos, eos, eot, eom, unk, sep, pad, mask;
    bool add_bos = false;
    bool add_eos = false;
    bool add_sep = false;
    bool add_space_prefix = false;
    bool ignore_merges = false;
    std::vector<TokenId> end_of_generation;  // sorted

    std::size_t size() const { return texts.size(); }
    std::optional<TokenId> find(std::string_view text) const {
        const auto it = ids.find(text);
        if (it == ids.end()) return std::nullopt;
        return it->second;
    }
    // A token that plain text may turn into: not CONTROL (nor UNKNOWN, which only the
    // tokenizer itself emits for what it cannot encode).
    std::optional<TokenId> find_for_text(std::string_view text) const {
        const auto id = find(text);
        if (!id) return std::nullopt;
        const TokenType t = types[static_cast<std::size_t>(*id)];
        if (t == TokenType::Control || t == TokenType::Unknown) return std::nullopt;
        return id;
    }
    TokenType type(TokenId id) const { return types[static_cast<std::size_t>(id)]; }
};

Vocab load_vocab(const gguf::File& file);

}  // namespace prism::text
