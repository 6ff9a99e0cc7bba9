#pragma once

// Text tokenizers built from a GGUF's `tokenizer.ggml.*` metadata, following llama.cpp's rules so
// that token ids match what the model was converted with:
//   - `llama`: SentencePiece-style, score-driven merges with `<0xNN>` byte fallback and `▁` for
//     spaces;
//   - `gpt2`: byte-level BPE with the pre-tokenizer split chosen by `tokenizer.ggml.pre`;
//   - `bert`: WordPiece (greedy longest match, lower-cased, NFD).
//
// Special (CONTROL) tokens are recognised in text only when the caller asks for it
// (EncodeOptions::parse_special): text typed by a user can never become a control token.
// USER_DEFINED tokens are always matched as whole tokens, as llama.cpp and HF tokenizers do.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prism::gguf {
class File;
}

namespace prism::text {

using TokenId = std::int32_t;

// As numbered in `tokenizer.ggml.token_type`.
enum class TokenType : std::uint8_t {
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
};

enum class TokenizerKind { SentencePiece, BytePairEncoding, WordPiece };

struct EncodeOptions {
    // Add BOS (and EOS/SEP) when the vocabulary asks for them (`add_bos_token` ...).
    bool add_special = true;
    // Recognise CONTROL tokens written in the text ("<|im_end|>"). Only for text the program
    // itself produced, such as a rendered chat template; never for raw user input.
    bool parse_special = false;
};

struct DecodeOptions {
    // Drop a leading BOS and trailing EOS when the vocabulary adds them.
    bool remove_special = false;
    // Write CONTROL tokens as their text; otherwise they produce nothing.
    bool render_special = false;
};

class Tokenizer {
  public:
    // Throws FormatError (naming the file and key) when the metadata is missing or inconsistent,
    // or when the tokenizer model or pre-tokenizer is not supported.
    static Tokenizer from_gguf(const gguf::File& file);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    std::vector<TokenId> encode(std::string_view text, EncodeOptions options = {}) const;

    // The bytes one token stands for (not necessarily valid UTF-8 on its own: byte tokens and
    // byte-level pieces can hold part of a character). CONTROL tokens give "" unless
    // render_special; UNUSED tokens give "". Throws prism::Error for an id out of range.
    std::string token_to_piece(TokenId id, bool render_special = false) const;

    // All pieces joined, as llama.cpp's llama_detokenize does (without its optional
    // "clean up tokenization spaces" pass): for a SentencePiece vocabulary that adds a space
    // prefix, the first piece's leading space is dropped unless a BOS was removed before it.
    std::string decode(std::span<const TokenId> tokens, DecodeOptions options = {}) const;

    TokenizerKind kind() const;
    // `tokenizer.ggml.model` and `tokenizer.ggml.pre` ("default" when absent).
    std::string_view model_name() const;
    std::string_view pre_name() const;

    std::size_t vocab_size() const;
    // The token's text as stored in the vocabulary (byte-level BPE pieces stay encoded, SPM
    // pieces keep their `▁`).
    std::string_view token_text(TokenId id) const;
    TokenType token_type(TokenId id) const;
    float token_score(TokenId id) const;
    // The id whose stored text is exactly `text`, of any type.
    std::optional<TokenId> find_token(std::string_view text) const;

    std::optional<TokenId> bos() const;
    std::optional<TokenId> eos() const;
    std::optional<TokenId> eot() const;
    std::optional<TokenId> eom() const;
    std::optional<TokenId> unk() const;
    std::optional<TokenId> sep() const;
    std::optional<TokenId> pad() const;
    std::optional<TokenId> mask() const;
    bool add_bos() const;
    bool add_eos() const;
    bool add_sep() const;
    bool add_space_prefix() const;

    // Tokens that end generation: eos, eot, eom and the tokens whose text is a known
    // end-of-turn marker ("<|im_end|>", "<end_of_turn>", "<|eot_id|>" ...). Sorted.
    std::span<const TokenId> end_of_generation() const;
    bool is_end_of_generation(TokenId id) const;

    struct Impl;

  private:
    friend class StreamingDetokenizer;
    explicit Tokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Turns tokens into text as they are generated, never emitting part of a UTF-8 character: the
// bytes of a character split across tokens (byte tokens, byte-level pieces) are held until the
// character is complete. Bytes that can never form a valid character come out as U+FFFD, so
// everything returned is valid UTF-8. Keeps a reference to the tokenizer, which must outlive it.
class StreamingDetokenizer {
  public:
    struct Options {
        // Write CONTROL tokens as their text.
        bool render_special = false;
        // Drop one leading space of the first token's piece: what llama.cpp does for a
        // SentencePiece vocabulary's first piece after BOS (`▁Once` prints as "Once").
        bool strip_leading_space = false;
    };

    explicit StreamingDetokenizer(const Tokenizer& tokenizer);
    StreamingDetokenizer(const Tokenizer& tokenizer, Options options);

    // The text that became complete with this token (possibly "").
    std::string push(TokenId id);
    // Whatever is held back, with an unfinished character replaced by U+FFFD; then resets.
    std::string flush();
    // Forget held bytes and start again as if no token had been pushed.
    void reset();
    // Bytes currently held back (0..3).
    std::size_t pending_bytes() const { return pending_.size(); }

  private:
    const Tokenizer* tokenizer_;
    Options options_;
    std::string pending_;
    bool first_ = true;
};

// The longest prefix of `bytes` that is valid UTF-8 or ends in the start of a character that
// more bytes could complete; invalid bytes before that point are replaced by U+FFFD. `held`
// receives the unfinished tail. Exposed for tests.
std::string take_complete_utf8(std::string_view bytes, std::string& held);

}  // namespace prism::text
