// Whisper's decoding rules on the host (session/whisper_decoding.hpp), on token ids laid out as
// in tiny.en's vocabulary (eot 50256, <|notimestamps|> 50362, <|0.00|> 50363 .. <|30.00|> 51863),
// following faster-whisper's _split_segments_by_timestamps and CTranslate2's timestamp rules.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "session/whisper_decoding.hpp"

namespace prism::test {
namespace {

using session::TokenId;

session::WhisperTokens tiny_en() {
    session::WhisperTokens t;
    t.eot = 50256;
    t.sot = 50257;
    t.no_timestamps = 50362;
    t.timestamp_begin = 50363;
    t.timestamp_end = 51863;
    return t;
}

TokenId ts(double seconds) {
    return static_cast<TokenId>(50363 + std::lround(seconds / 0.02));
}

TEST(WhisperDecoding, SplitsAtTimestampPairsAndSeeksToTheLastOne) {
    const auto t = tiny_en();
    // <0.00> a b <2.00><2.00> c <4.00>   ... cut mid-sentence: next window at 4.00 s
    const std::vector<TokenId> tokens = {ts(0), 1, 2, ts(2), ts(2), 3, ts(4)};
    const auto split = session::split_by_timestamps(tokens, t, 1000, 3000);
    ASSERT_EQ(split.segments.size(), 2u);
    EXPECT_DOUBLE_EQ(split.segments[0].start, 10.0);
    EXPECT_DOUBLE_EQ(split.segments[0].end, 12.0);
    EXPECT_EQ(split.segments[0].tokens, (std::vector<TokenId>{ts(0), 1, 2, ts(2)}));
    // A single timestamp at the end: the window is done, the last segment kept.
    EXPECT_EQ(split.segments[1].tokens, (std::vector<TokenId>{ts(2), 3, ts(4)}));
    EXPECT_EQ(split.next_seek, 4000);

    const std::vector<TokenId> open = {ts(0), 1, ts(1.5), ts(1.5), 2, 3};
    const auto split_open = session::split_by_timestamps(open, t, 0, 3000);
    ASSERT_EQ(split_open.segments.size(), 1u);
    EXPECT_EQ(split_open.next_seek, 150);  // the unfinished text is decoded again from 1.5 s
}

TEST(WhisperDecoding, WithoutPairsOneSegmentSpansTheWindow) {
    const auto t = tiny_en();
    const auto plain = session::split_by_timestamps(std::vector<TokenId>{1, 2, 3}, t, 0, 1100);
    ASSERT_EQ(plain.segments.size(), 1u);
    EXPECT_DOUBLE_EQ(plain.segments[0].end, 11.0);
    EXPECT_EQ(plain.next_seek, 1100);
    const auto one =
        session::split_by_timestamps(std::vector<TokenId>{ts(0), 1, ts(3)}, t, 0, 1100);
    ASSERT_EQ(one.segments.size(), 1u);
    EXPECT_DOUBLE_EQ(one.segments[0].end, 3.0);
}

TEST(WhisperDecoding, TimestampRules) {
    const auto t = tiny_en();
    session::StepRules rules;
    rules.tokens = &t;
    const std::vector<TokenId> suppress = {7};
    const std::vector<TokenId> suppress_begin = {220, t.eot};
    rules.suppress = suppress;
    rules.suppress_begin = suppress_begin;
    std::vector<float> logits(51864, 0.0f);
    auto masked = [&](TokenId id) { return std::isinf(logits[static_cast<std::size_t>(id)]); };

    session::apply_step_rules(logits, {}, rules);  // first step: a timestamp up to 1 s
    EXPECT_TRUE(masked(5));
    EXPECT_TRUE(masked(t.eot));
    EXPECT_FALSE(masked(ts(0)));
    EXPECT_FALSE(masked(ts(1.0)));
    EXPECT_TRUE(masked(ts(1.02)));
    EXPECT_TRUE(masked(t.no_timestamps));

    std::fill(logits.begin(), logits.end(), 0.0f);
    logits[5] = 30;  // text far likelier than any timestamp
    const std::vector<TokenId> after_open = {ts(0.5), 5, 6};
    session::apply_step_rules(logits, after_open, rules);
    EXPECT_TRUE(masked(7));        // suppressed
    EXPECT_TRUE(masked(ts(0.5)));  // never back in time
    EXPECT_FALSE(masked(ts(0.52)));
    EXPECT_FALSE(masked(5));

    std::fill(logits.begin(), logits.end(), 0.0f);
    const std::vector<TokenId> pair_closed = {ts(0), 5, ts(1), ts(1)};
    session::apply_step_rules(logits, pair_closed, rules);
    EXPECT_TRUE(masked(ts(2)));  // after a closed pair comes text
    EXPECT_FALSE(masked(5));

    std::fill(logits.begin(), logits.end(), 0.0f);
    logits[static_cast<std::size_t>(t.eot)] = 30;  // else the timestamps' total wins
    const std::vector<TokenId> pair_open = {ts(0), 5, ts(1)};
    session::apply_step_rules(logits, pair_open, rules);
    EXPECT_TRUE(masked(5));  // an open pair closes with a timestamp (the same or later) or ends
    EXPECT_FALSE(masked(ts(1)));
    EXPECT_TRUE(masked(ts(0.98)));
    EXPECT_FALSE(masked(t.eot));

    // Without timestamps only the suppression applies.
    rules.timestamps = false;
    std::fill(logits.begin(), logits.end(), 0.0f);
    session::apply_step_rules(logits, after_open, rules);
    EXPECT_TRUE(masked(7));
    EXPECT_FALSE(masked(ts(0)));
    EXPECT_FALSE(masked(t.eot));
}

TEST(WhisperDecoding, ProbabilitiesAndCompression) {
    const std::vector<float> logits = {0.0f, std::log(3.0f)};
    EXPECT_NEAR(session::probability(logits, 1), 0.75, 1e-6);
    EXPECT_NEAR(session::log_probability(logits, 0), std::log(0.25), 1e-6);
    std::mt19937_64 rng(1);
    EXPECT_EQ(session::choose_token(logits, 0.0f, rng), 1);
    // Python's zlib at its default level: len(s) / len(zlib.compress(s)).
    EXPECT_DOUBLE_EQ(session::compression_ratio(std::string(100, 'a')), 100.0 / 12.0);
    std::string ab;
    for (int i = 0; i < 50; ++i) ab += "ab";
    EXPECT_DOUBLE_EQ(session::compression_ratio(ab), 100.0 / 13.0);
    EXPECT_LT(session::compression_ratio("And so my fellow Americans"), 1.5);
}

}  // namespace
}  // namespace prism::test
