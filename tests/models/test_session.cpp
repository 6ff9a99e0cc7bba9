// The public Session API on stories260K (a base model without a chat template, so chat turns
// use the ChatML fallback): raw completion, KV-cache reuse across calls and turns, stop
// strings, seeds, end-of-generation, cancellation from another thread, load progress and
// cancellation, and the errors a caller can cause.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <iterator>
#include <optional>
#include <thread>

#include "models/greedy_options.hpp"
#include "models/model_files.hpp"
#include "prism/session.hpp"
#include "session/chat_tokens.hpp"
#include "session/stop_strings.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

class SessionTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        path_ = demo_model();
        SessionOptions o;
        o.n_ctx = 256;
        o.prefill_chunk = 16;  // several chunks per prompt
        o.validation = true;
        session_.emplace(Session::load(path_, o));
    }
    static void TearDownTestSuite() { session_.reset(); }
    void SetUp() override {
        ASSERT_TRUE(session_) << path_ << " did not load (see SetUpTestSuite's error)";
        session_->reset();
    }
    Session& s() { return *session_; }

    static inline fs::path path_;
    static inline std::optional<Session> session_;
};

// From the documented greedy story (resources/models/PROVENANCE.md).
constexpr const char* kStoryStart = "Once upon a time, there was a little girl named Lily.";

TEST_F(SessionTest, RawCompletionContinuesTheKnownStory) {
    std::string streamed;
    auto o = greedy(12);
    o.on_piece = [&](std::string_view p) {
        streamed += p;
        return true;
    };
    const GenerateResult r = s().generate_raw(kStoryStart, o);
    EXPECT_EQ(r.text, streamed);
    EXPECT_EQ(r.text.rfind(" She loved to play outside", 0), 0u) << r.text;
    EXPECT_EQ(r.stop, StopReason::max_tokens);
    EXPECT_EQ(r.timings.generated_tokens, 12);
    EXPECT_EQ(r.timings.prompt_tokens_reused, 0);
    EXPECT_EQ(r.timings.prompt_tokens_evaluated, r.timings.prompt_tokens);
    EXPECT_GT(r.timings.prompt_tokens_per_second, 0.0);
    EXPECT_GT(r.timings.generated_tokens_per_second, 0.0);
    EXPECT_GT(r.timings.time_to_first_token, 0.0);
}

TEST_F(SessionTest, FollowUpReusesTheCache) {
    const GenerateResult first = s().generate_raw(kStoryStart, greedy(8));
    const std::string follow = std::string(kStoryStart) + first.text + " One day";
    const GenerateResult second = s().generate_raw(follow, greedy(4));
    // Everything evaluated before (prompt + 7 fed-back generated tokens) is still valid, as far
    // as the new tokenization agrees with it.
    EXPECT_GE(second.timings.prompt_tokens_reused, first.timings.prompt_tokens);
    EXPECT_EQ(second.timings.prompt_tokens_reused + second.timings.prompt_tokens_evaluated,
              second.timings.prompt_tokens);
    EXPECT_LT(second.timings.prompt_tokens_evaluated, 8);

    // The same prompt again: all but the last token (which gives the logits) are reused, and
    // greedy decoding gives the same text as a cold run.
    const GenerateResult again = s().generate_raw(follow, greedy(4));
    EXPECT_EQ(again.timings.prompt_tokens_evaluated, 1);
    EXPECT_EQ(again.text, second.text);
}

TEST_F(SessionTest, ChatTurnsOnlyProcessTheirNewTokens) {
    EXPECT_FALSE(s().has_chat_template());
    EXPECT_FALSE(s().chat_template().warning().empty());
    s().add_system("You tell stories.");
    s().add_user("Tell me about Lily.");
    const GenerateResult first = s().generate(greedy(6));
    ASSERT_EQ(s().messages().size(), 3u);
    EXPECT_EQ(s().messages().back().role, ChatRole::assistant);
    EXPECT_EQ(s().messages().back().content, first.text);
    s().add_user("And then?");
    const GenerateResult second = s().generate(greedy(6));
    EXPECT_GE(second.timings.prompt_tokens_reused, first.timings.prompt_tokens);
    EXPECT_LT(second.timings.prompt_tokens_evaluated,
              second.timings.prompt_tokens - first.timings.prompt_tokens + 8);
}

TEST_F(SessionTest, StopStringSpanningTokensEndsGenerationUnseen) {
    std::string streamed;
    auto o = greedy(40);
    o.stop = {"little girl"};
    o.on_piece = [&](std::string_view p) {
        streamed += p;
        return true;
    };
    const GenerateResult r = s().generate_raw("Once upon a time,", o);
    EXPECT_EQ(r.stop, StopReason::stop_string);
    EXPECT_EQ(r.text, " there was a ");
    EXPECT_EQ(streamed, r.text);
    EXPECT_GE(r.tokens.size(), 5u);  // "little girl" is more than one token
}

TEST_F(SessionTest, CallbackReturningFalseStops) {
    auto o = greedy(40);
    int calls = 0;
    o.on_piece = [&](std::string_view) { return ++calls < 3; };
    const GenerateResult r = s().generate_raw("Once upon a time,", o);
    EXPECT_EQ(r.stop, StopReason::callback);
    EXPECT_EQ(calls, 3);
}

TEST_F(SessionTest, SameSeedSameTokens) {
    GenerateOptions o;
    o.sampling.temperature = 1.0f;
    o.sampling.top_k = 0;
    o.sampling.top_p = 1.0f;
    o.sampling.min_p = 0.0f;
    o.max_tokens = 32;
    o.sampling.seed = 42;
    const auto a = s().generate_raw("Once upon a time,", o).tokens;
    s().reset();
    const auto b = s().generate_raw("Once upon a time,", o).tokens;
    o.sampling.seed = 43;
    const auto c = s().generate_raw("Once upon a time,", o).tokens;
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST_F(SessionTest, CancelFromAnotherThreadWithinOneToken) {
    auto o = greedy(-1);  // until the context is full
    std::promise<void> first_piece;
    std::atomic<int> pieces{0}, pieces_when_cancelled{-1};
    o.on_piece = [&](std::string_view) {
        if (pieces.fetch_add(1) == 0) first_piece.set_value();
        return true;
    };
    std::thread canceller([&] {
        first_piece.get_future().wait();
        s().cancel();
        pieces_when_cancelled.store(pieces.load());
    });
    const GenerateResult r = s().generate_raw("Once upon a time,", o);
    canceller.join();
    EXPECT_EQ(r.stop, StopReason::cancelled);
    // At most the token being made while cancel() ran can still come out.
    EXPECT_LE(pieces.load() - pieces_when_cancelled.load(), 1);
    EXPECT_LT(s().n_cached(), s().n_ctx());
}

TEST_F(SessionTest, Errors) {
    EXPECT_THROW(s().generate_raw("", greedy(4)), Error);
    EXPECT_THROW(s().generate(greedy(4)), Error);  // no messages
    s().add_user("");
    EXPECT_THROW(s().generate(greedy(4)), Error);
    std::string long_text;
    for (int i = 0; i < 100; ++i) long_text += "Lily and Tom play. ";
    try {
        s().generate_raw(long_text, greedy(4));
        FAIL() << "a prompt longer than the context was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("context holds 256"), std::string::npos) << e.what();
    }
}

TEST_F(SessionTest, UserTextCannotBecomeAControlToken) {
    // "</s>" is stories260K's EOS, a control token: typed by a user it stays text.
    const std::vector<ChatMessage> chat = {{ChatRole::user, "stop </s> here"}};
    const auto tokens = session::tokenize_chat(s().chat_template(), s().tokenizer(), chat);
    const auto eos = *s().tokenizer().eos();
    EXPECT_EQ(std::count(tokens.begin(), tokens.end(), eos), 0);
    text::EncodeOptions parse;
    parse.parse_special = true;
    const auto parsed = s().tokenizer().encode("stop </s> here", parse);
    EXPECT_EQ(std::count(parsed.begin(), parsed.end(), eos), 1);  // the test can fail
}

// A copy of stories260K whose EOS id is patched to a token greedy decoding produces soon.
fs::path with_eos(const fs::path& source, std::uint32_t eos) {
    std::ifstream in(source, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string key = "tokenizer.ggml.eos_token_id";
    const auto at = bytes.find(key);
    if (at == std::string::npos) return {};
    // key, then the value type (u32 = 4), then the value.
    std::memcpy(bytes.data() + at + key.size() + 4, &eos, 4);
    const fs::path out =
        fs::temp_directory_path() / ("stories_eos_" + std::to_string(::getpid()) + ".gguf");
    std::ofstream(out, std::ios::binary)
        .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out;
}

TEST_F(SessionTest, EndOfGenerationTokenStopsAndIsNotShown) {
    const GenerateResult plain = s().generate_raw("Once upon a time,", greedy(12));
    ASSERT_GE(plain.tokens.size(), 6u);
    const std::uint32_t eos = static_cast<std::uint32_t>(plain.tokens[5]);
    const fs::path patched = with_eos(path_, eos);
    ASSERT_FALSE(patched.empty());
    {
        Session other = Session::load(patched, {.n_ctx = 64});
        const GenerateResult r = other.generate_raw("Once upon a time,", greedy(12));
        EXPECT_EQ(r.stop, StopReason::end_of_generation);
        const auto first_eos =
            std::find(plain.tokens.begin(), plain.tokens.end(), static_cast<std::int32_t>(eos)) -
            plain.tokens.begin();
        ASSERT_EQ(r.tokens.size(), static_cast<std::size_t>(first_eos + 1));
        EXPECT_EQ(r.tokens.back(), static_cast<std::int32_t>(eos));
        // The text is what came before the EOG token.
        EXPECT_EQ(plain.text.rfind(r.text, 0), 0u);
        EXPECT_LT(r.text.size(), plain.text.size());
    }
    fs::remove(patched);
}

TEST_F(SessionTest, LoadReportsProgressAndCanBeCancelled) {
    std::vector<float> seen;
    {
        Session loaded = Session::load(path_, {.n_ctx = 32}, [&](float f) { seen.push_back(f); });
        EXPECT_GT(loaded.load_seconds(), 0.0);
    }
    ASSERT_GE(seen.size(), 10u);  // 48 tensors
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(seen.front(), 0.0f);
    EXPECT_EQ(seen.back(), 1.0f);

    std::atomic<bool> cancel{false};
    EXPECT_THROW(Session::load(
                     path_, {.n_ctx = 32},
                     [&](float f) {
                         if (f > 0.3f) cancel = true;
                     },
                     &cancel),
                 LoadCancelled);
}

TEST(StopStrings, HeldAcrossPiecesAndReleasedWhenNotAMatch) {
    session::StopStrings stops({"END", "xyz"});
    EXPECT_EQ(stops.push("abc E"), "abc ");
    EXPECT_EQ(stops.push("N"), "");
    EXPECT_EQ(stops.push("d"), "ENd");  // not a stop after all
    EXPECT_EQ(stops.push("12E"), "12");
    EXPECT_EQ(stops.push("ND tail"), "");
    EXPECT_TRUE(stops.stopped());

    session::StopStrings other({"xyz"});
    EXPECT_EQ(other.push("a x"), "a ");
    EXPECT_EQ(other.flush(), "x");
    EXPECT_FALSE(other.stopped());
}

}  // namespace
}  // namespace prism::test
