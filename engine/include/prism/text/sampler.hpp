#pragma once

// Picks the next token from a decoder's logits. The steps run in llama.cpp's default order:
// penalties over the recent tokens, then top-k, top-p and min-p on the penalised distribution,
// then temperature, then a seeded draw. A temperature of 0 is greedy (the argmax after
// penalties), as `--temp 0` is in llama.cpp.

#include <cstdint>
#include <deque>
#include <random>
#include <span>
#include <vector>

#include "prism/value_range.hpp"

namespace prism::text {

// What each setting accepts; validate() and the programs' flags check against these.
namespace sampler_limits {
inline constexpr ValueRange temperature{0.0};
inline constexpr ValueRange top_k{0.0, 2147483647.0};
inline constexpr ValueRange top_p{0.0, 1.0};
inline constexpr ValueRange min_p{0.0, 1.0};
inline constexpr ValueRange penalty_last_n{0.0, 2147483647.0};
inline constexpr ValueRange repeat_penalty{0.0, ValueRange{}.max, true};
inline constexpr ValueRange presence_penalty{};
inline constexpr ValueRange frequency_penalty{};
}  // namespace sampler_limits

struct SamplerSettings {
    float temperature = 0.8f;  // 0: greedy
    std::int32_t top_k = 40;   // 0: off
    float top_p = 0.95f;       // 1: off
    float min_p = 0.05f;       // 0: off; keeps tokens with p >= min_p * p_max
    // Penalties over the last `penalty_last_n` accepted tokens (0: off).
    std::int32_t penalty_last_n = 64;
    float repeat_penalty = 1.0f;     // logit / penalty if positive, * penalty if negative
    float presence_penalty = 0.0f;   // subtracted once from every token in the window
    float frequency_penalty = 0.0f;  // subtracted once per occurrence in the window
    std::uint64_t seed = 0;          // same seed and settings -> same tokens
};

// Throws Error naming the first setting outside its sampler_limits range (NaN and infinities
// included), e.g. "sampler: top_p is 2; it must be from 0 to 1".
void validate(const SamplerSettings& settings);

class Sampler {
  public:
    // Throws as validate() does.
    explicit Sampler(const SamplerSettings& settings = {});

    const SamplerSettings& settings() const { return settings_; }

    // Chooses a token from logits over the whole vocabulary (not modified). Throws Error when
    // the logits are empty or none is finite.
    std::int32_t sample(std::span<const float> logits);

    // Records a token as part of the sequence (prompt or generated) for the penalties.
    void accept(std::int32_t token);
    // Forgets the recent tokens and restarts the random sequence from the seed.
    void reset();

  private:
    struct Candidate {
        std::int32_t id;
        float logit;
    };
    void apply_penalties(std::vector<Candidate>& c) const;
    std::int32_t draw(const std::vector<Candidate>& c);

    SamplerSettings settings_;
    std::deque<std::int32_t> recent_;
    std::mt19937_64 rng_;
};

// Index of the largest logit (the first on ties).
std::int32_t argmax(std::span<const float> logits);

}  // namespace prism::text
