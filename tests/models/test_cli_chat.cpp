// prism-cli at the edges of the context, on stories260K with tiny contexts: an over-long chat
// message is refused and the chat goes on; a conversation that fills the context drops its
// oldest turns; an answer that reaches the end of the context says so; a context longer than
// the model was trained with works, with a warning.

#include <gtest/gtest.h>

#include <string>

#include "models/cli_runner.hpp"

namespace prism::test {
namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

std::string repeated(const std::string& sentence, int times) {
    std::string text;
    for (int i = 0; i < times; ++i) text += sentence;
    return text;
}

// Greedy, for answers of a known length.
class CliContext : public StoriesCliTest {
  protected:
    void SetUp() override {
        StoriesCliTest::SetUp();
        m += "--temp 0 ";
    }
};

TEST_F(CliContext, AnOverLongMessageIsRefusedAndTheChatGoesOn) {
    const std::string input =
        repeated("Lily and Tom play in the park. ", 20) + "\nOnce upon a time\n";
    const CliRun r = run_cli_with_input("chat " + m + "-c 64 -n 8", input);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("error: message not sent: generate: the prompt is "), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("but the context holds 64"), std::string::npos) << r.err;
    // The next message is answered, and the refused one is not part of its prompt.
    EXPECT_EQ(count_of(r.err, " generated at "), 1u) << r.err;
    EXPECT_NE(r.out.find_first_not_of('\n'), std::string::npos) << r.out;
}

TEST_F(CliContext, AFullConversationDropsItsOldestTurns) {
    const std::string input = repeated("Lily saw a big red ball.\n", 8);
    const CliRun r = run_cli_with_input("chat " + m + "-c 96 -n 12", input);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count_of(r.err, " generated at "), 8u) << r.err;  // every message answered
    EXPECT_NE(r.err.find("oldest messages no longer fit in the context and were dropped"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("message not sent"), std::string::npos) << r.err;
}

TEST_F(CliContext, TheEndOfTheContextIsSaidInTheChat) {
    // 44 prompt tokens (ChatML spelled out in the model's small vocabulary) of 64 leave the
    // greedy answer 20: it runs into the context's end. The second message still gets an
    // answer, without the first exchange.
    const std::string input = "Once upon a time\nTell me more\n";
    const CliRun r = run_cli_with_input("chat " + m + "-c 64 -n -1", input);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("(the context (64 tokens) is full; the answer stops here; the next "
                         "message drops the oldest turns"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(count_of(r.err, " generated at "), 2u) << r.err;
}

TEST_F(CliContext, AContextLongerThanTrainedWarnsAndWorks) {
    const CliRun r = run_cli("run " + m + "--raw -p 'Once upon a time' -n 4 -c 4096");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("warning: the context of 4096 tokens is longer than the 2048 "
                         "stories260K.gguf was trained with"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("ctx 4096"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("generation: 4 tokens"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace prism::test
