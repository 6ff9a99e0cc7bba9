#include "session/whisper_decoding.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "models/whisper_hparams.hpp"
#include "prism/error.hpp"

namespace prism::session {
namespace {

constexpr float kMasked = -std::numeric_limits<float>::infinity();
constexpr double kSecondsPerFrame = 0.01;
constexpr double kSecondsPerTimestamp = 0.02;
constexpr std::int64_t kFramesPerTimestamp = 2;

void mask(std::span<float> logits, std::int64_t begin, std::int64_t end) {
    begin = std::max<std::int64_t>(begin, 0);
    end = std::min<std::int64_t>(end, static_cast<std::int64_t>(logits.size()));
    for (std::int64_t i = begin; i < end; ++i) logits[static_cast<std::size_t>(i)] = kMasked;
}

double log_sum_exp(std::span<const float> v) {
    float top = kMasked;
    for (const float x : v) top = std::max(top, x);
    if (top == kMasked) return -std::numeric_limits<double>::infinity();
    double sum = 0;
    for (const float x : v) sum += std::exp(static_cast<double>(x) - top);
    return top + std::log(sum);
}

TokenId require(const text::Tokenizer& t, std::string_view text, const std::string& file) {
    const auto id = t.find_token(text);
    if (!id) {
        throw FormatError(file + ": the vocabulary has no " + std::string(text) +
                          " token; not a Whisper vocabulary");
    }
    return *id;
}

}  // namespace

WhisperTokens WhisperTokens::find(const text::Tokenizer& tokenizer, const models::WhisperHParams& h,
                                  const std::string& file) {
    WhisperTokens w;
    w.eot = require(tokenizer, "<|endoftext|>", file);
    w.sot = require(tokenizer, "<|startoftranscript|>", file);
    w.sot_prev = require(tokenizer, "<|startofprev|>", file);
    w.sot_lm = require(tokenizer, "<|startoflm|>", file);
    w.transcribe = require(tokenizer, "<|transcribe|>", file);
    w.translate = require(tokenizer, "<|translate|>", file);
    w.no_timestamps = require(tokenizer, "<|notimestamps|>", file);
    w.timestamp_begin = require(tokenizer, "<|0.00|>", file);
    const auto no_speech = tokenizer.find_token("<|nospeech|>");
    w.no_speech = no_speech ? *no_speech : require(tokenizer, "<|nocaptions|>", file);
    w.timestamp_end = static_cast<TokenId>(h.n_vocab - 1);
    if (w.timestamp_begin != w.no_timestamps + 1 || w.timestamp_end <= w.timestamp_begin) {
        throw FormatError(file + ": the timestamp tokens do not follow <|notimestamps|>");
    }
    w.languages = h.lang_ids;
    // English-only models keep the language tokens in the vocabulary but were never trained
    // with them: Whisper tells them apart by vocabulary size (51864 against 51865 and more).
    w.multilingual = h.n_vocab >= 51865;
    return w;
}

void apply_step_rules(std::span<float> logits, std::span<const TokenId> sampled,
                      const StepRules& r) {
    const WhisperTokens& t = *r.tokens;
    if (sampled.empty()) {
        for (const TokenId id : r.suppress_begin) mask(logits, id, id + 1);
    }
    for (const TokenId id : r.suppress) mask(logits, id, id + 1);
    if (!r.timestamps) return;

    mask(logits, t.no_timestamps, t.no_timestamps + 1);
    const std::int64_t end = t.timestamp_end + 1;
    bool check_probability = false;
    if (sampled.empty()) {
        mask(logits, 0, t.timestamp_begin);
        mask(logits, t.timestamp_begin + r.max_initial_timestamp_index + 1, end);
    } else {
        const TokenId last = sampled.back();
        if (t.is_timestamp(last)) {
            const TokenId penultimate = sampled.size() >= 2 ? sampled[sampled.size() - 2] : last;
            if (t.is_timestamp(penultimate)) {
                mask(logits, t.timestamp_begin, end);  // a pair is closed: text next
            } else {
                mask(logits, 0, t.eot);  // a pair is open: its end, or the end of text
                mask(logits, t.timestamp_begin, last);
                check_probability = true;
            }
        } else {
            check_probability = true;
            // Timestamps never go back: none up to and including the last one.
            for (auto it = sampled.rbegin(); it != sampled.rend(); ++it) {
                if (t.is_timestamp(*it)) {
                    mask(logits, t.timestamp_begin, *it + 1);
                    break;
                }
            }
        }
    }
    if (!check_probability) return;
    // When all timestamps together are likelier than any one text token, take a timestamp.
    const double total = log_sum_exp(logits);
    const double timestamps =
        log_sum_exp(logits.subspan(static_cast<std::size_t>(t.timestamp_begin))) - total;
    float best_text = kMasked;
    for (std::int64_t i = 0; i < t.timestamp_begin; ++i)
        best_text = std::max(best_text, logits[static_cast<std::size_t>(i)]);
    if (timestamps > static_cast<double>(best_text) - total) mask(logits, 0, t.timestamp_begin);
}

double log_probability(std::span<const float> logits, TokenId token) {
    return static_cast<double>(logits[static_cast<std::size_t>(token)]) - log_sum_exp(logits);
}

double probability(std::span<const float> logits, TokenId token) {
    return std::exp(log_probability(logits, token));
}

TokenId choose_token(std::span<const float> logits, float temperature, std::mt19937_64& rng) {
    if (temperature <= 0) {
        return static_cast<TokenId>(std::max_element(logits.begin(), logits.end()) -
                                    logits.begin());
    }
    float top = kMasked;
    for (const float x : logits) top = std::max(top, x);
    std::vector<double> weights(logits.size());
    for (std::size_t i = 0; i < logits.size(); ++i) {
        weights[i] = std::exp((static_cast<double>(logits[i]) - top) / temperature);
    }
    std::discrete_distribution<TokenId> pick(weights.begin(), weights.end());
    return pick(rng);
}

double compression_ratio(const std::string& text) {
    if (text.empty()) return 0;
    uLongf size = compressBound(static_cast<uLong>(text.size()));
    std::vector<Bytef> out(size);
    if (compress(out.data(), &size, reinterpret_cast<const Bytef*>(text.data()),
                 static_cast<uLong>(text.size())) != Z_OK) {
        return 0;
    }
    return static_cast<double>(text.size()) / static_cast<double>(size);
}

WindowSplit split_by_timestamps(std::span<const TokenId> tokens, const WhisperTokens& special,
                                std::int64_t seek, std::int64_t segment_frames) {
    WindowSplit out;
    const double offset = static_cast<double>(seek) * kSecondsPerFrame;
    const std::size_t n = tokens.size();
    const bool single_ending =
        n >= 2 && !special.is_timestamp(tokens[n - 2]) && special.is_timestamp(tokens[n - 1]);
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < n; ++i) {
        if (special.is_timestamp(tokens[i]) && special.is_timestamp(tokens[i - 1]))
            cuts.push_back(i);
    }
    auto time_of = [&](TokenId t) {
        return offset + static_cast<double>(t - special.timestamp_begin) * kSecondsPerTimestamp;
    };
    if (!cuts.empty()) {
        if (single_ending) cuts.push_back(n);
        std::size_t from = 0;
        for (const std::size_t to : cuts) {
            TimedTokens s;
            s.tokens.assign(tokens.begin() + static_cast<std::ptrdiff_t>(from),
                            tokens.begin() + static_cast<std::ptrdiff_t>(to));
            s.start = time_of(s.tokens.front());
            s.end = time_of(s.tokens.back());
            out.segments.push_back(std::move(s));
            from = to;
        }
        if (single_ending) {
            out.next_seek = seek + segment_frames;
        } else {
            out.next_seek =
                seek + (tokens[from - 1] - special.timestamp_begin) * kFramesPerTimestamp;
        }
        return out;
    }
    double duration = static_cast<double>(segment_frames) * kSecondsPerFrame;
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
        if (special.is_timestamp(*it)) {
            if (*it != special.timestamp_begin) {
                duration =
                    static_cast<double>(*it - special.timestamp_begin) * kSecondsPerTimestamp;
            }
            break;
        }
    }
    TimedTokens s;
    s.tokens.assign(tokens.begin(), tokens.end());
    s.start = offset;
    s.end = offset + duration;
    out.segments.push_back(std::move(s));
    out.next_seek = seek + segment_frames;
    return out;
}

}  // namespace prism::session
