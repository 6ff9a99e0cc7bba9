// Sampler steps on hand-made distributions: each setting alone decides which tokens can come
// out, so the assertions are about sets and frequencies that cannot drift by chance.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/text/sampler.hpp"

namespace prism::text {
namespace {

// Probabilities 0.5, 0.25, 0.125, 0.0625, 0.0625 for tokens 0..4 (logits are their logs).
std::vector<float> halving() {
    return {std::log(0.5f), std::log(0.25f), std::log(0.125f), std::log(0.0625f),
            std::log(0.0625f)};
}

SamplerSettings plain(float temperature = 1.0f) {
    SamplerSettings s;
    s.temperature = temperature;
    s.top_k = 0;
    s.top_p = 1.0f;
    s.min_p = 0.0f;
    s.seed = 7;
    return s;
}

std::map<std::int32_t, int> histogram(Sampler& sampler, const std::vector<float>& logits, int n) {
    std::map<std::int32_t, int> h;
    for (int i = 0; i < n; ++i) ++h[sampler.sample(logits)];
    return h;
}

std::set<std::int32_t> seen(const std::map<std::int32_t, int>& h) {
    std::set<std::int32_t> s;
    for (const auto& [id, count] : h) s.insert(id);
    return s;
}

TEST(Sampler, TemperatureZeroIsGreedy) {
    Sampler s(plain(0.0f));
    const std::vector<float> logits{0.1f, 2.0f, -1.0f, 1.9f};
    for (int i = 0; i < 20; ++i) EXPECT_EQ(s.sample(logits), 1);
    EXPECT_EQ(argmax(logits), 1);
}

TEST(Sampler, GreedyBreaksTiesByLowestId) {
    Sampler s(plain(0.0f));
    EXPECT_EQ(s.sample(std::vector<float>{1.0f, 3.0f, 3.0f}), 1);
}

TEST(Sampler, SameSeedSameTokensOtherSeedOtherTokens) {
    const auto logits = halving();
    Sampler a(plain()), b(plain());
    std::vector<std::int32_t> ta, tb;
    for (int i = 0; i < 64; ++i) {
        ta.push_back(a.sample(logits));
        tb.push_back(b.sample(logits));
    }
    EXPECT_EQ(ta, tb);
    a.reset();
    std::vector<std::int32_t> again;
    for (int i = 0; i < 64; ++i) again.push_back(a.sample(logits));
    EXPECT_EQ(ta, again);  // reset restarts the random sequence
    auto other_settings = plain();
    other_settings.seed = 8;
    Sampler c(other_settings);
    std::vector<std::int32_t> tc;
    for (int i = 0; i < 64; ++i) tc.push_back(c.sample(logits));
    EXPECT_NE(ta, tc);
}

TEST(Sampler, TemperatureOneFollowsTheDistribution) {
    Sampler s(plain());
    const auto h = histogram(s, halving(), 4000);
    // Token 0 has p = 0.5: 2000 expected, sd ~32; 6 sd bounds.
    EXPECT_NEAR(h.at(0), 2000, 200);
    EXPECT_NEAR(h.at(1), 1000, 170);
    EXPECT_EQ(seen(h), (std::set<std::int32_t>{0, 1, 2, 3, 4}));
}

TEST(Sampler, LowTemperatureSharpens) {
    Sampler s(plain(0.25f));
    // p ~ softmax(log p / 0.25) = p^4 normalised: token 0 gets 0.5^4 / sum ~ 0.94.
    const auto h = histogram(s, halving(), 2000);
    EXPECT_GT(h.at(0), 1800);
}

TEST(Sampler, TopKKeepsTheKLargest) {
    auto settings = plain();
    settings.top_k = 2;
    Sampler s(settings);
    EXPECT_EQ(seen(histogram(s, halving(), 500)), (std::set<std::int32_t>{0, 1}));
}

TEST(Sampler, TopPKeepsTheSmallestSetReachingP) {
    auto settings = plain();
    settings.top_p = 0.8f;  // 0.5 + 0.25 = 0.75 < 0.8, + 0.125 reaches it
    Sampler s(settings);
    EXPECT_EQ(seen(histogram(s, halving(), 800)), (std::set<std::int32_t>{0, 1, 2}));
}

TEST(Sampler, MinPDropsTokensBelowAFractionOfTheBest) {
    auto settings = plain();
    settings.min_p = 0.3f;  // keeps p >= 0.15: tokens 0 (0.5) and 1 (0.25)
    Sampler s(settings);
    EXPECT_EQ(seen(histogram(s, halving(), 500)), (std::set<std::int32_t>{0, 1}));
}

TEST(Sampler, RepeatPenaltyDividesPositiveAndMultipliesNegativeLogits) {
    auto settings = plain(0.0f);
    settings.repeat_penalty = 2.0f;
    Sampler s(settings);
    s.accept(0);
    // 3.0 / 2 = 1.5 < 2.0: token 1 wins.
    EXPECT_EQ(s.sample(std::vector<float>{3.0f, 2.0f, -1.0f}), 1);
    // A negative logit gets more negative: -1 * 2 = -2 < -1.5.
    Sampler t(settings);
    t.accept(0);
    EXPECT_EQ(t.sample(std::vector<float>{-1.0f, -1.5f}), 1);
}

TEST(Sampler, PresencePenaltySubtractsOncePerToken) {
    auto settings = plain(0.0f);
    settings.presence_penalty = 1.0f;
    Sampler s(settings);
    s.accept(0);
    s.accept(0);  // presence counts once: 3.0 - 1 = 2.0 vs 2.5
    EXPECT_EQ(s.sample(std::vector<float>{3.0f, 2.5f}), 1);
    EXPECT_EQ(s.sample(std::vector<float>{3.0f, 1.5f}), 0);  // 2.0 > 1.5
}

TEST(Sampler, PenaltyWindowForgetsOldTokens) {
    auto settings = plain(0.0f);
    settings.repeat_penalty = 10.0f;
    settings.penalty_last_n = 2;
    Sampler s(settings);
    s.accept(0);
    s.accept(2);
    s.accept(2);  // token 0 has left the window of 2
    EXPECT_EQ(s.sample(std::vector<float>{3.0f, 2.0f, 1.0f}), 0);
}

TEST(Sampler, IgnoresNonFiniteLogitsAndRejectsEmptyOnes) {
    Sampler s(plain());
    const float inf = std::numeric_limits<float>::infinity();
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(s.sample(std::vector<float>{-inf, 0.0f, std::nanf("")}), 1);
    EXPECT_THROW(s.sample(std::vector<float>{}), Error);
    EXPECT_THROW(s.sample(std::vector<float>{-inf, -inf}), Error);
}

// Settings outside their range are refused where the engine takes them, so that no program
// (the app included) can sample with NaN or an impossible probability.
TEST(Sampler, RefusesSettingsOutsideTheirRange) {
    const auto refused = [](auto change, const std::string& what) {
        SamplerSettings s = plain();
        change(s);
        try {
            Sampler sampler(s);
            ADD_FAILURE() << "accepted " << what;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    const float nan = std::numeric_limits<float>::quiet_NaN();
    refused([&](SamplerSettings& s) { s.temperature = nan; }, "temperature is nan");
    refused([](SamplerSettings& s) { s.temperature = -0.5f; }, "temperature is -0.5");
    refused([](SamplerSettings& s) { s.top_p = 2.0f; }, "top_p is 2; it must be from 0 to 1");
    refused([](SamplerSettings& s) { s.top_k = -3; }, "top_k is -3");
    refused([&](SamplerSettings& s) { s.min_p = nan; }, "min_p is nan");
    refused([&](SamplerSettings& s) { s.presence_penalty = nan; },
            "presence_penalty is nan; it must be a finite number");
    refused([](SamplerSettings& s) { s.repeat_penalty = 0.0f; }, "greater than 0");
    refused([](SamplerSettings& s) { s.penalty_last_n = -1; }, "penalty_last_n is -1");
    refused([](SamplerSettings& s) { s.frequency_penalty = INFINITY; }, "frequency_penalty");
    // The edges themselves are valid.
    SamplerSettings edges = plain(0.0f);
    edges.top_p = 0.0f;
    edges.min_p = 1.0f;
    edges.presence_penalty = -2.0f;
    EXPECT_NO_THROW(Sampler{edges});
}

}  // namespace
}  // namespace prism::text
