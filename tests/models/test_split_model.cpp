// A model split into shards (llama.cpp's gguf-split layout, written by support/gguf_splitter)
// generates exactly what the unsplit file does, token for token: the demo model and the tiny
// llama split by the gguf package always, the real SmolLM2 when tools/fetch_models.py has
// fetched it.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "models/greedy_options.hpp"
#include "prism/gguf.hpp"
#include "prism/session.hpp"
#include "support/gguf_splitter.hpp"
#include "support/special_files.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

std::vector<text::TokenId> greedy_tokens(const fs::path& model, const std::string& prompt) {
    SessionOptions o;
    o.n_ctx = 128;
    Session s = Session::load(model, o);
    return s.generate_raw(prompt, greedy(24)).tokens;
}

// From the first shard, and with `from_last` from the last one too (any shard names the set).
void expect_split_generates_the_same(const fs::path& model, const std::string& prompt,
                                     bool from_last) {
    TempFolder folder("prism-split-model");
    const auto shards = write_split(gguf::File::open(model), folder / model.stem().string(), 3);
    const auto want = greedy_tokens(model, prompt);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(greedy_tokens(shards[0], prompt), want);
    if (from_last) EXPECT_EQ(greedy_tokens(shards[2], prompt), want);
}

TEST(SplitModel, DemoModelGeneratesAsUnsplit) {
    expect_split_generates_the_same(demo_model(), "Once upon a time", true);
}

// Shards written by the gguf package's own writer (tests/data/models/split).
TEST(SplitModel, GgufPackageShardsGenerateAsUnsplit) {
    const auto want = greedy_tokens(test_data("models/tiny-llama-f32.gguf"), "hello world");
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(
        greedy_tokens(test_data("models/split/tiny-llama-f32-00001-of-00003.gguf"), "hello world"),
        want);
}

TEST(SplitModel, SmolLM2GeneratesAsUnsplit) {
    const auto path = real_model(kSmolLM2File);
    if (!path) GTEST_SKIP() << real_model_absent(kSmolLM2File);
    expect_split_generates_the_same(*path, "The capital of France is", false);
}

}  // namespace
}  // namespace prism::test
