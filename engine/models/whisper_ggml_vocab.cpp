#include "models/whisper_ggml_vocab.hpp"

#include <array>
#include <cstdio>
#include <string_view>
#include <unordered_map>

#include "text/utf8.hpp"

namespace prism::models {
namespace {

// Whisper's languages in token order; "iw" for Hebrew as the Hugging Face vocabularies (and so
// Prism's Whisper GGUF files) spell it. large-v3 adds Cantonese.
constexpr std::array<std::string_view, 100> kLanguages = {
    "en", "zh", "de", "es",  "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv",
    "it", "id", "hi", "fi",  "vi", "iw", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no",
    "th", "ur", "hr", "bg",  "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr",
    "az", "sl", "kn", "et",  "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw",
    "gl", "mr", "pa", "si",  "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu",
    "am", "yi", "lo", "uz",  "fo", "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl",
    "mg", "as", "tt", "haw", "ln", "ha", "ba", "jw", "su", "yue"};

// Tokens after the languages, before the timestamps.
constexpr std::array<std::string_view, 6> kTaskTokens = {"<|translate|>",  "<|transcribe|>",
                                                         "<|startoflm|>",  "<|startofprev|>",
                                                         "<|nocaptions|>", "<|notimestamps|>"};

constexpr int kTimestamps = 1501;  // <|0.00|> to <|30.00|> in steps of 20 ms

std::string byte_level(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (const char c : bytes) out += text::byte_to_bpe_char(static_cast<unsigned char>(c));
    return out;
}

}  // namespace

std::int32_t whisper_regular_tokens(std::int64_t n_vocab) {
    return n_vocab > kWhisperVocabEnglish ? 50257 : 50256;
}

std::vector<std::string> merges_from_ranks(std::span<const std::string> tokens) {
    std::unordered_map<std::string_view, std::int32_t> rank;
    rank.reserve(tokens.size());
    for (std::size_t i = 0; i < tokens.size(); ++i)
        rank.emplace(tokens[i], static_cast<std::int32_t>(i));
    std::vector<std::string> merges;
    std::vector<std::string_view> parts;
    for (std::size_t r = 0; r < tokens.size(); ++r) {
        const std::string_view token = tokens[r];
        if (token.size() < 2 || rank.at(token) != static_cast<std::int32_t>(r)) continue;
        parts.clear();
        for (std::size_t i = 0; i < token.size(); ++i) parts.push_back(token.substr(i, 1));
        // Byte-pair encoding with the tokens ranked before this one: the parts are adjacent
        // views of `token`, so a pair is the view spanning both.
        while (parts.size() > 2) {
            std::size_t best = parts.size();
            std::int32_t best_rank = static_cast<std::int32_t>(r);
            for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
                const std::string_view pair(parts[i].data(), parts[i].size() + parts[i + 1].size());
                const auto it = rank.find(pair);
                if (it != rank.end() && it->second < best_rank) {
                    best_rank = it->second;
                    best = i;
                }
            }
            if (best == parts.size()) break;
            parts[best] =
                std::string_view(parts[best].data(), parts[best].size() + parts[best + 1].size());
            parts.erase(parts.begin() + static_cast<std::ptrdiff_t>(best) + 1);
        }
        if (parts.size() == 2) merges.push_back(byte_level(parts[0]) + " " + byte_level(parts[1]));
    }
    return merges;
}

WhisperGgmlVocab whisper_ggml_vocab(std::span<const std::string> regular, std::int64_t n_vocab) {
    WhisperGgmlVocab v;
    v.eot = whisper_regular_tokens(n_vocab);
    v.sot = v.eot + 1;
    const auto n_languages = static_cast<std::size_t>(
        n_vocab - v.sot - 1 - static_cast<std::int64_t>(kTaskTokens.size()) - kTimestamps);
    v.texts.reserve(static_cast<std::size_t>(n_vocab));
    for (std::size_t i = 0; i < regular.size(); ++i) {
        v.texts.push_back(byte_level(regular[i]));
        if (regular[i] == " " && !v.space) v.space = static_cast<std::int32_t>(i);
    }
    v.texts.emplace_back("<|endoftext|>");
    v.texts.emplace_back("<|startoftranscript|>");
    for (std::size_t l = 0; l < n_languages && l < kLanguages.size(); ++l) {
        v.languages.push_back(static_cast<std::int32_t>(v.texts.size()));
        v.texts.push_back("<|" + std::string(kLanguages[l]) + "|>");
    }
    for (const auto t : kTaskTokens) v.texts.emplace_back(t);
    for (int i = 0; i < kTimestamps; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "<|%d.%02d|>", i / 50, i % 50 * 2);
        v.texts.emplace_back(buf);
    }
    v.types.assign(v.texts.size(), 1);
    for (std::size_t i = static_cast<std::size_t>(v.eot); i < v.types.size(); ++i) v.types[i] = 3;
    v.merges = merges_from_ranks(regular);
    return v;
}

}  // namespace prism::models
