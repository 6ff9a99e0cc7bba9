#pragma once

// Whisper's decoding rules on the host, as faster-whisper (CTranslate2) applies them, apart
// from the network: the special tokens, the logit rules of one step (suppressed tokens, the
// blank suppression at the first step, the timestamp rules), the greedy/sampled choice with
// its log-probability, and the split of one window's tokens into timed segments with the
// frame the next window starts at.

#include <cstdint>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "prism/tokenizer.hpp"

namespace prism::models {
struct WhisperHParams;
}

namespace prism::session {

using text::TokenId;

struct WhisperTokens {
    TokenId eot = -1, sot = -1, sot_prev = -1, sot_lm = -1, no_speech = -1;
    TokenId no_timestamps = -1, timestamp_begin = -1, transcribe = -1, translate = -1;
    TokenId timestamp_end = -1;  // the last token (<|30.00|>)
    std::vector<TokenId> languages;
    bool multilingual = false;

    // Finds every special token by its text; throws FormatError naming `file_name` when one is
    // missing (a vocabulary that is not Whisper's).
    static WhisperTokens find(const text::Tokenizer& tokenizer, const models::WhisperHParams& h,
                              const std::string& file_name);
    bool is_timestamp(TokenId t) const { return t >= timestamp_begin; }
};

// Everything one step's rules need.
struct StepRules {
    const WhisperTokens* tokens = nullptr;
    std::span<const TokenId> suppress;        // every step
    std::span<const TokenId> suppress_begin;  // the first sampled step (blank, eot)
    bool timestamps = true;
    std::int32_t max_initial_timestamp_index = 50;  // 1 s in steps of 20 ms
};

// Applies the rules to `logits` (n_vocab) given the tokens sampled so far in this window;
// masked entries become -infinity.
void apply_step_rules(std::span<float> logits, std::span<const TokenId> sampled,
                      const StepRules& rules);

// log-softmax of `logits` at `token`.
double log_probability(std::span<const float> logits, TokenId token);
// softmax of `logits` at `token`.
double probability(std::span<const float> logits, TokenId token);

// The token with the largest logit (the first on ties), or one drawn from softmax(logits / t).
TokenId choose_token(std::span<const float> logits, float temperature, std::mt19937_64& rng);

// len(text) / len(zlib-compressed text), as faster-whisper measures repetition.
double compression_ratio(const std::string& text);

struct TimedTokens {
    double start = 0, end = 0;  // seconds
    std::vector<TokenId> tokens;
};

struct WindowSplit {
    std::vector<TimedTokens> segments;
    std::int64_t next_seek = 0;  // in mel frames (10 ms)
};

// Cuts a window's sampled tokens into segments at consecutive timestamp pairs and says where
// the next window starts (the last complete timestamp, or the window's end). Tokens without
// timestamps are one segment spanning the window.
WindowSplit split_by_timestamps(std::span<const TokenId> tokens, const WhisperTokens& special,
                                std::int64_t seek, std::int64_t segment_frames);

}  // namespace prism::session
