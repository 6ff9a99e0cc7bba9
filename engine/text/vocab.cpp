#include "text/vocab.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/printable.hpp"

namespace prism::text {
namespace {

constexpr std::string_view kPrefix = "tokenizer.ggml.";

[[noreturn]] void fail(const gguf::File& file, const std::string& what) {
    throw FormatError(file.name() + ": " + what);
}

std::vector<float> read_scores(const gguf::File& file, const gguf::Value& v) {
    if (!v.is_array()) fail(file, "tokenizer.ggml.scores is not an array");
    if (v.element_type() == gguf::ValueType::F32) return v.as_array<float>();
    if (v.element_type() == gguf::ValueType::I32) {
        std::vector<float> out;
        for (std::int32_t s : v.as_array<std::int32_t>()) out.push_back(static_cast<float>(s));
        return out;
    }
    fail(file, "tokenizer.ggml.scores has elements of type " +
                   std::string(gguf::value_type_name(v.element_type())) + ", expected f32");
}

// A special id from the file, or the family default. Ids outside the vocabulary (converters
// write 0xFFFFFFFF for "none") mean "none", as in llama.cpp.
void read_special(const gguf::File& file, std::string_view key, std::size_t n_vocab,
                  std::optional<TokenId>& id) {
    const gguf::Value* v = file.find(std::string(kPrefix) + std::string(key));
    if (v == nullptr) return;
    const auto raw = v->as_integer<std::int64_t>();
    if (raw < 0 || static_cast<std::uint64_t>(raw) >= n_vocab) {
        id.reset();
        return;
    }
    id = static_cast<TokenId>(raw);
}

void read_flag(const gguf::File& file, std::string_view key, bool& flag) {
    if (const gguf::Value* v = file.find(std::string(kPrefix) + std::string(key))) {
        flag = v->as<bool>();
    }
}

// How llama.cpp names its BPE pre-tokenizers; the regexes live in pretokenizer.cpp, which
// rejects names it does not know.
void apply_pre_defaults(Vocab& v) {
    static constexpr std::string_view kLlama3[] = {"llama3",    "llama-v3", "llama-bpe", "falcon3",
                                                   "falcon-h1", "pixtral",  "midm-2.0",  "lfm2"};
    const bool llama3 =
        std::find(std::begin(kLlama3), std::end(kLlama3), v.pre) != std::end(kLlama3);
    if (llama3 || v.pre == "tekken") {
        v.ignore_merges = true;
        v.add_bos = true;
    }
    if (v.pre == "chameleon") v.add_bos = true;
    if (v.pre == "chatglm-bpe") v.bos.reset();
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

Vocab load_vocab(const gguf::File& file) {
    Vocab v;
    const gguf::Value* model = file.find("tokenizer.ggml.model");
    if (model == nullptr) fail(file, "no tokenizer (tokenizer.ggml.model is missing)");
    v.model = std::string(model->as<std::string_view>());
    v.pre = std::string(file.get_or<std::string_view>("tokenizer.ggml.pre", "default"));

    if (v.model == "llama") {
        v.kind = TokenizerKind::SentencePiece;
        v.bos = 1;
        v.eos = 2;
        v.unk = 0;
        v.add_bos = true;
        v.add_space_prefix = true;
    } else if (v.model == "gpt2") {
        v.kind = TokenizerKind::BytePairEncoding;
        v.bos = 11;
        v.eos = 11;
    } else if (v.model == "bert") {
        v.kind = TokenizerKind::WordPiece;
        v.bos = 101;
        v.unk = 100;
        v.sep = 102;
        v.pad = 0;
        v.mask = 103;
        v.add_bos = true;
        v.add_sep = true;
    } else {
        fail(file, "tokenizer model '" + printable(v.model) +
                       "' is not supported (supported: llama, gpt2, bert)");
    }

    const auto tokens = file.get_array<std::string_view>("tokenizer.ggml.tokens");
    if (tokens.empty()) fail(file, "tokenizer.ggml.tokens is empty");
    const std::size_t n = tokens.size();
    v.texts.reserve(n);
    for (std::string_view t : tokens) {
        v.texts.emplace_back(t);
        v.max_token_bytes = std::max(v.max_token_bytes, t.size());
    }

    v.types.assign(n, TokenType::Normal);
    if (const gguf::Value* tt = file.find("tokenizer.ggml.token_type")) {
        const auto raw = tt->as_array<std::int32_t>();
        if (raw.size() != n) fail(file, "tokenizer.ggml.token_type length differs from tokens");
        for (std::size_t i = 0; i < n; ++i) {
            if (raw[i] < 1 || raw[i] > 6) {
                fail(file,
                     "token " + std::to_string(i) + " has unknown type " + std::to_string(raw[i]));
            }
            v.types[i] = static_cast<TokenType>(raw[i]);
        }
    }
    v.scores.assign(n, 0.0f);
    if (const gguf::Value* sc = file.find("tokenizer.ggml.scores")) {
        v.scores = read_scores(file, *sc);
        if (v.scores.size() != n) fail(file, "tokenizer.ggml.scores length differs from tokens");
    }

    v.ids.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        // The first id wins for duplicated texts, as the converters intend.
        v.ids.emplace(v.texts[i], static_cast<TokenId>(i));
    }

    if (v.kind == TokenizerKind::BytePairEncoding) {
        const auto merges = file.get_array<std::string_view>("tokenizer.ggml.merges");
        v.merge_ranks.reserve(merges.size());
        for (std::size_t r = 0; r < merges.size(); ++r) {
            if (merges[r].find(' ', 1) == std::string_view::npos) {
                fail(file, "merge " + std::to_string(r) + " has no space between its parts");
            }
            v.merge_ranks.emplace(std::string(merges[r]), static_cast<int>(r));
        }
        apply_pre_defaults(v);
    }

    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        const std::string name = {'<', '0', 'x', kHex[b >> 4], kHex[b & 15], '>'};
        const auto id = v.find(name);
        v.byte_tokens[static_cast<std::size_t>(b)] = id ? *id : -1;
    }

    read_special(file, "bos_token_id", n, v.bos);
    read_special(file, "cls_token_id", n, v.bos);
    read_special(file, "eos_token_id", n, v.eos);
    read_special(file, "eot_token_id", n, v.eot);
    read_special(file, "eom_token_id", n, v.eom);
    read_special(file, "unknown_token_id", n, v.unk);
    read_special(file, "seperator_token_id", n, v.sep);
    read_special(file, "padding_token_id", n, v.pad);
    read_special(file, "mask_token_id", n, v.mask);
    for (auto* id : {&v.bos, &v.eos, &v.eot, &v.eom, &v.unk, &v.sep, &v.pad, &v.mask}) {
        if (*id && static_cast<std::size_t>(**id) >= n) id->reset();
    }
    read_flag(file, "add_bos_token", v.add_bos);
    read_flag(file, "add_eos_token", v.add_eos);
    read_flag(file, "add_sep_token", v.add_sep);
    read_flag(file, "add_space_prefix", v.add_space_prefix);

    // End of turn: llama.cpp looks for these texts when the file names no eot token, and
    // stops generation on any of them.
    static constexpr std::string_view kEotTexts[] = {
        "<|eot_id|>",        "<|im_end|>", "<|end|>", "<end_of_turn>",
        "<|endoftext|>",     "<EOT>",      "_<EOT>",  "<｜end▁of▁sentence｜>",
        "<end_of_utterance>"};
    if (!v.eot) {
        for (std::string_view t : kEotTexts) {
            if (auto id = v.find(t)) {
                v.eot = id;
                break;
            }
        }
    }
    static constexpr std::string_view kEogTexts[] = {
        "<|eot_id|>", "<|im_end|>",    "<|end|>",         "<|return|>",
        "<|call|>",   "<end_of_turn>", "<|endoftext|>",   "<|eom_id|>",
        "<EOT>",      "_<EOT>",        "<|end_of_text|>", "<end_of_utterance>"};
    for (auto id : {v.eos, v.eot, v.eom}) {
        if (id) v.end_of_generation.push_back(*id);
    }
    for (std::string_view t : kEogTexts) {
        if (auto id = v.find(t)) v.end_of_generation.push_back(*id);
    }
    std::sort(v.end_of_generation.begin(), v.end_of_generation.end());
    v.end_of_generation.erase(std::unique(v.end_of_generation.begin(), v.end_of_generation.end()),
                              v.end_of_generation.end());

    // phi-3 files: llama.cpp strips whitespace after its special tokens (HF's rstrip).
    v.rstrip.assign(n, false);
    const std::string name = lower(std::string(file.get_or<std::string_view>("general.name", "")));
    if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (std::size_t i = 0; i < n; ++i) {
            const TokenType t = v.types[i];
            v.rstrip[i] =
                t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown;
        }
        for (std::string_view t : {"<unk>", "<s>", "<|endoftext|>"}) {
            if (auto id = v.find(t)) v.rstrip[static_cast<std::size_t>(*id)] = false;
        }
        if (auto id = v.find("</s>")) v.rstrip[static_cast<std::size_t>(*id)] = true;
    }
    return v;
}

}  // namespace prism::text
