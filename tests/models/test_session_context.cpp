// The Session API at the edges of the context, on stories260K: a context longer than the
// model was trained with loads with a warning; a conversation that leaves no room for the
// answer loses its oldest exchanges; a message that cannot fit is refused and changes nothing;
// max_tokens -1 and 0 mean "until the end" and "nothing"; options outside their limits are
// refused, so that no program can sample with NaN.

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "models/greedy_options.hpp"
#include "models/model_files.hpp"
#include "prism/session.hpp"

namespace prism::test {
namespace {

std::optional<Session> load(std::int64_t n_ctx) {
    SessionOptions o;
    o.n_ctx = n_ctx;
    return Session::load(test::demo_model(), o);
}

TEST(SessionContext, LongerThanTrainedLoadsWithAWarning) {
    auto trained = load(2048);
    EXPECT_EQ(trained->trained_context(), 2048);
    EXPECT_EQ(trained->context_warning(), "");
    trained.reset();
    auto longer = load(4096);
    EXPECT_EQ(longer->n_ctx(), 4096);
    EXPECT_NE(longer->context_warning().find("4096 tokens is longer than the 2048"),
              std::string::npos)
        << longer->context_warning();
    EXPECT_EQ(longer->generate_raw("Once upon a time", greedy(4)).tokens.size(), 4u);
}

TEST(SessionContext, OldestExchangesAreLeftOutWhenNoRoomIsLeft) {
    auto s = load(96);
    s->add_system("Stories.");
    std::int64_t left_out = 0;
    for (int turn = 0; turn < 6; ++turn) {
        s->add_user("Lily saw a big red ball.");
        const GenerateResult r = s->generate(greedy(12));
        left_out += r.messages_left_out;
        EXPECT_EQ(r.messages_left_out % 2, 0);  // whole exchanges
        // The prompt left the room the answer asked for.
        EXPECT_LE(r.timings.prompt_tokens + 12, s->n_ctx());
        ASSERT_FALSE(s->messages().empty());
        EXPECT_EQ(s->messages().front().role, ChatRole::system);  // always kept
        EXPECT_EQ(s->messages().back().role, ChatRole::assistant);
    }
    EXPECT_GT(left_out, 0);
    EXPECT_EQ(static_cast<std::int64_t>(s->messages().size()), 1 + 2 * 6 - left_out);
}

TEST(SessionContext, AMessageThatCannotFitIsRefusedAndChangesNothing) {
    auto s = load(64);
    s->add_user("Once upon a time");
    s->generate(greedy(4));
    const std::size_t before = s->messages().size();
    std::string long_text;
    for (int i = 0; i < 20; ++i) long_text += "Lily and Tom play in the park. ";
    s->add_user(long_text);
    try {
        s->generate(greedy(4));
        FAIL() << "a message longer than the context was accepted";
    } catch (const PromptTooLong& e) {
        EXPECT_GT(e.prompt_tokens(), 64);
        EXPECT_EQ(e.n_ctx(), 64);
    }
    EXPECT_EQ(s->messages().size(), before + 1);  // nothing dropped for a refused message
    s->remove_last_message();
    s->add_user("Tell me more");
    EXPECT_NO_THROW(s->generate(greedy(4)));
}

TEST(SessionContext, MaxTokensMinusOneRunsToTheEndAndZeroGeneratesNothing) {
    auto s = load(32);
    const GenerateResult none = s->generate_raw("Once upon a time", greedy(0));
    EXPECT_TRUE(none.tokens.empty());
    EXPECT_EQ(none.stop, StopReason::max_tokens);
    EXPECT_GT(none.timings.prompt_tokens_evaluated, 0);
    s->reset();
    const GenerateResult all = s->generate_raw("Once upon a time", greedy(-1));
    EXPECT_EQ(all.stop, StopReason::context_full);
    EXPECT_EQ(s->n_cached(), 32);
}

TEST(SessionContext, OptionsOutsideTheirLimitsAreRefused) {
    auto s = load(32);
    const auto refused = [&](GenerateOptions o, const std::string& what) {
        try {
            s->generate_raw("Once", o);
            ADD_FAILURE() << "accepted " << what;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    GenerateOptions o = greedy(4);
    o.sampling.temperature = std::numeric_limits<float>::quiet_NaN();
    refused(o, "temperature is nan");
    o = greedy(-2);
    refused(o, "max_tokens is -2; it must be at least -1");
    o = greedy(4);
    o.sampling.top_p = 2.0f;
    refused(o, "top_p is 2");
    const auto path = std::optional(test::demo_model());
    SessionOptions bad;
    bad.n_ctx = -1;
    EXPECT_THROW(Session::load(*path, bad), Error);
    bad.n_ctx = 0;
    bad.prefill_chunk = 0;
    EXPECT_THROW(Session::load(*path, bad), Error);
}

}  // namespace
}  // namespace prism::test
