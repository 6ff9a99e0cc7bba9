#pragma once

// Byte-level BPE pre-tokenization: the regex splits llama.cpp applies per `tokenizer.ggml.pre`.
// Each regex further splits the pieces the previous one produced, keeping both the matches and
// the text between them, and cannot look across a piece's ends. Unicode classes come from ICU.

#include <memory>
#include <string_view>
#include <vector>

namespace prism::text {

class PreTokenizer {
  public:
    // Throws prism::Error for a pre-tokenizer name llama.cpp does not define.
    explicit PreTokenizer(std::string_view pre_name);
    PreTokenizer(PreTokenizer&&) noexcept;
    PreTokenizer& operator=(PreTokenizer&&) noexcept;
    ~PreTokenizer();

    // The pieces of `text`, in order; together they are exactly `text`.
    std::vector<std::string_view> split(std::string_view text) const;

  private:
    struct Patterns;  // ICU's compiled regexes (ICU's namespace is versioned: not declared here)
    std::unique_ptr<Patterns> patterns_;
};

}  // namespace prism::text
