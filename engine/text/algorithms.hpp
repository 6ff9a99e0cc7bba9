#pragma once

// The three tokenization algorithms, each over one fragment of raw text (special tokens are
// already split off).

#include <string_view>
#include <vector>

#include "text/vocab.hpp"

namespace prism::text {

// SentencePiece: `text` already has spaces replaced by U+2581 (and the prefix space added).
void encode_spm(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out);

// Byte-level BPE of one pre-tokenized piece (raw bytes; encoded here).
void encode_bpe_piece(const Vocab& vocab, std::string_view piece, std::vector<TokenId>& out);

// WordPiece over raw text: normalised, split into words, greedy longest match per word.
void encode_wordpiece(const Vocab& vocab, std::string_view text, std::vector<TokenId>& out);

}  // namespace prism::text
