#include "prism/tokenizer.hpp"

#include <algorithm>
#include <optional>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "text/algorithms.hpp"
#include "text/pretokenizer.hpp"
#include "text/special_split.hpp"
#include "text/utf8.hpp"
#include "text/vocab.hpp"

namespace prism::text {

constexpr std::string_view kSpmSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's space

struct Tokenizer::Impl {
    Vocab vocab;
    std::optional<PreTokenizer> pre;
    SpecialSplitter special;

    explicit Impl(Vocab v) : vocab(std::move(v)), special(vocab) {}

    void check(TokenId id) const {
        if (id < 0 || static_cast<std::size_t>(id) >= vocab.size()) {
            throw Error("token id " + std::to_string(id) + " is outside the vocabulary (size " +
                        std::to_string(vocab.size()) + ")");
        }
    }
};

namespace {

std::string escape_spm_spaces(std::string_view text, bool add_prefix) {
    std::string out;
    out.reserve(text.size() + 8);
    if (add_prefix) out += kSpmSpace;
    for (const char c : text) {
        if (c == ' ') {
            out += kSpmSpace;
        } else {
            out += c;
        }
    }
    return out;
}

std::string unescape_spm_spaces(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        if (text.substr(i, kSpmSpace.size()) == kSpmSpace) {
            out += ' ';
            i += kSpmSpace.size();
        } else {
            out += text[i++];
        }
    }
    return out;
}

std::string decode_byte_level(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const DecodedChar c = decode_utf8(text.substr(i));
        unsigned char byte = 0;
        if (bpe_char_to_byte(c.cp, byte)) {
            out += static_cast<char>(byte);
        } else {
            out.append(text.substr(i, c.bytes));  // not from the byte alphabet: keep as written
        }
        i += c.bytes;
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_gguf(const gguf::File& file) {
    auto impl = std::make_unique<Impl>(load_vocab(file));
    if (impl->vocab.kind == TokenizerKind::BytePairEncoding) {
        try {
            impl->pre.emplace(impl->vocab.pre);
        } catch (const Error& e) {
            throw FormatError(file.name() + ": " + e.what());
        }
    }
    return Tokenizer(std::move(impl));
}

std::vector<TokenId> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
    const Vocab& v = impl_->vocab;
    std::vector<TokenId> out;
    out.reserve(text.size() / 3 + 4);
    if (options.add_special && v.add_bos && v.bos) out.push_back(*v.bos);

    const std::vector<Fragment> fragments = impl_->special.split(v, text, options.parse_special);
    bool after_special = true;  // SentencePiece: the text start counts as "after a special"
    for (const Fragment& f : fragments) {
        if (f.is_token()) {
            out.push_back(f.token);
            after_special = true;
            continue;
        }
        switch (v.kind) {
            case TokenizerKind::SentencePiece:
                encode_spm(v, escape_spm_spaces(f.text, v.add_space_prefix && after_special), out);
                break;
            case TokenizerKind::BytePairEncoding:
                for (const std::string_view piece : impl_->pre->split(f.text)) {
                    encode_bpe_piece(v, piece, out);
                }
                break;
            case TokenizerKind::WordPiece:
                encode_wordpiece(v, f.text, out);
                break;
        }
        after_special = false;
    }

    if (options.add_special && v.add_eos && v.eos) out.push_back(*v.eos);
    if (options.add_special && v.add_sep && v.sep) out.push_back(*v.sep);
    return out;
}

std::string Tokenizer::token_to_piece(TokenId id, bool render_special) const {
    impl_->check(id);
    const Vocab& v = impl_->vocab;
    const std::string& text = v.texts[static_cast<std::size_t>(id)];
    const TokenType type = v.type(id);
    if (type == TokenType::Control) return render_special ? text : std::string();
    if (type == TokenType::UserDefined) return text;  // stored as the raw text it matches
    switch (v.kind) {
        case TokenizerKind::SentencePiece:
        case TokenizerKind::WordPiece:
            if (type == TokenType::Normal) return unescape_spm_spaces(text);
            if (type == TokenType::Byte) {
                // "<0xNN>"
                if (text.size() == 6 && hex_value(text[3]) >= 0 && hex_value(text[4]) >= 0) {
                    return std::string(
                        1, static_cast<char>(hex_value(text[3]) * 16 + hex_value(text[4])));
                }
                return std::string();
            }
            if (type == TokenType::Unknown) return "\xE2\x96\x85";  // U+2585, as llama.cpp
            return std::string();
        case TokenizerKind::BytePairEncoding:
            if (type == TokenType::Normal) return decode_byte_level(text);
            return std::string();
    }
    return std::string();
}

std::string Tokenizer::decode(std::span<const TokenId> tokens, DecodeOptions options) const {
    const Vocab& v = impl_->vocab;
    // WordPiece pieces start words with a space, which the first word does not want.
    bool strip_space = v.add_space_prefix || v.kind == TokenizerKind::WordPiece;
    if (options.remove_special && v.add_bos && !tokens.empty() && v.bos && tokens[0] == *v.bos) {
        strip_space = false;  // llama.cpp keeps the space when BOS was there
        tokens = tokens.subspan(1);
    }
    if (options.remove_special && v.add_eos && !tokens.empty() && v.eos &&
        tokens.back() == *v.eos) {
        tokens = tokens.first(tokens.size() - 1);
    }
    std::string out;
    for (const TokenId id : tokens) {
        std::string piece = token_to_piece(id, options.render_special);
        if (strip_space && !piece.empty() && piece.front() == ' ') piece.erase(0, 1);
        strip_space = false;
        out += piece;
    }
    return out;
}

TokenizerKind Tokenizer::kind() const {
    return impl_->vocab.kind;
}
std::string_view Tokenizer::model_name() const {
    return impl_->vocab.model;
}
std::string_view Tokenizer::pre_name() const {
    return impl_->vocab.pre;
}
std::size_t Tokenizer::vocab_size() const {
    return impl_->vocab.size();
}

std::string_view Tokenizer::token_text(TokenId id) const {
    impl_->check(id);
    return impl_->vocab.texts[static_cast<std::size_t>(id)];
}
TokenType Tokenizer::token_type(TokenId id) const {
    impl_->check(id);
    return impl_->vocab.type(id);
}
float Tokenizer::token_score(TokenId id) const {
    impl_->check(id);
    return impl_->vocab.scores[static_cast<std::size_t>(id)];
}
std::optional<TokenId> Tokenizer::find_token(std::string_view text) const {
    return impl_->vocab.find(text);
}

std::optional<TokenId> Tokenizer::bos() const {
    return impl_->vocab.bos;
}
std::optional<TokenId> Tokenizer::eos() const {
    return impl_->vocab.eos;
}
std::optional<TokenId> Tokenizer::eot() const {
    return impl_->vocab.eot;
}
std::optional<TokenId> Tokenizer::eom() const {
    return impl_->vocab.eom;
}
std::optional<TokenId> Tokenizer::unk() const {
    return impl_->vocab.unk;
}
std::optional<TokenId> Tokenizer::sep() const {
    return impl_->vocab.sep;
}
std::optional<TokenId> Tokenizer::pad() const {
    return impl_->vocab.pad;
}
std::optional<TokenId> Tokenizer::mask() const {
    return impl_->vocab.mask;
}
bool Tokenizer::add_bos() const {
    return impl_->vocab.add_bos;
}
bool Tokenizer::add_eos() const {
    return impl_->vocab.add_eos;
}
bool Tokenizer::add_sep() const {
    return impl_->vocab.add_sep;
}
bool Tokenizer::add_space_prefix() const {
    return impl_->vocab.add_space_prefix;
}

std::span<const TokenId> Tokenizer::end_of_generation() const {
    return impl_->vocab.end_of_generation;
}
bool Tokenizer::is_end_of_generation(TokenId id) const {
    const auto& eog = impl_->vocab.end_of_generation;
    return std::binary_search(eog.begin(), eog.end(), id);
}

}  // namespace prism::text
