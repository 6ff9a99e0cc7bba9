#pragma once

// Splits raw text on special tokens before the model's tokenizer runs (llama.cpp's
// tokenizer_st_partition): USER_DEFINED tokens always, CONTROL and UNKNOWN tokens only when the
// caller parses special tokens. Longer tokens are matched first.

#include <array>
#include <string_view>
#include <vector>

#include "text/vocab.hpp"

namespace prism::text {

struct Fragment {
    TokenId token = -1;     // >= 0: a matched special token
    std::string_view text;  // otherwise: raw text to tokenize
    bool is_token() const { return token >= 0; }
};

class SpecialSplitter {
  public:
    explicit SpecialSplitter(const Vocab& vocab);
    std::vector<Fragment> split(const Vocab& vocab, std::string_view text,
                                bool parse_special) const;

  private:
    std::vector<TokenId> by_priority_;  // longest text first, then lowest id
    std::vector<int> rank_;             // id -> position in by_priority_, or -1
    // Candidates by their text's first byte, to find quickly which ones occur at all.
    std::array<std::vector<TokenId>, 256> by_first_byte_;
};

}  // namespace prism::text
