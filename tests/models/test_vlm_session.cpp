// prism::Session with images, end to end on the tiny vision fixtures (tests/data/vlm): load
// text.gguf + mmproj.gguf, send image.png in a user message, and the reply's first greedy
// tokens must be the fixture's (transformers' own greedy decoding of the same prompt). Then an
// image from an earlier turn stays in the KV cache; a text-only model refuses images.
// gemma3 and qwen25vl: their text files carry no chat template and the fallbacks Prism picks
// from their special tokens (Gemma, ChatML) write the fixture's prompt exactly.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/media/image.hpp"
#include "prism/session.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

const fs::path kVlm = fs::path(PRISM_TEST_DATA_DIR) / "vlm";

GenerateOptions greedy(std::int64_t max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_tokens = max_tokens;
    return o;
}

struct Case {
    std::string family;
    std::string system;  // the template's default system turn, when the fixture has one
    std::vector<text::TokenId> greedy;  // prompt.json's
};

class VlmSession : public ::testing::TestWithParam<Case> {};

TEST_P(VlmSession, ImageMessageGivesTheReferenceTokensAndStaysCached) {
    const Case& c = GetParam();
    SessionOptions o;
    o.n_ctx = 256;
    o.prefill_chunk = 16;
    o.validation = true;
    o.mmproj = kVlm / c.family / "mmproj.gguf";
    Session s = Session::load(kVlm / c.family / "text.gguf", o);
    ASSERT_TRUE(s.has_vision());
    const auto image = std::make_shared<const media::Image>(
        media::decode_image_file(kVlm / c.family / "image.png"));

    if (!c.system.empty()) s.add_system(c.system);
    s.add_user({MessagePart::of_image(image), MessagePart::of_text("What is in the image?")});
    const GenerateResult first = s.generate(greedy(8));
    // Greedy after the fixture's whole prompt: the tokens only match if the template, the
    // markers, the positions, the pixels, the encoder and the decoder all do (the fixture's
    // top-1/top-2 gaps exceed 1% of max |logit|).
    EXPECT_EQ(std::vector<text::TokenId>(first.tokens.begin(), first.tokens.end()), c.greedy);
    EXPECT_EQ(first.timings.images_encoded, 1);
    EXPECT_GT(first.timings.image_encode_seconds, 0.0);

    // The next turn reuses the cached image rows: nothing is encoded again.
    s.add_user({MessagePart::of_text("And now?")});
    const GenerateResult second = s.generate(greedy(2));
    EXPECT_EQ(second.timings.images_encoded, 0);
    EXPECT_GT(second.timings.prompt_tokens_reused, first.timings.prompt_tokens - 1);

    // After a reset the image is encoded again (the cache forgot it).
    s.reset();
    s.add_user({MessagePart::of_image(image), MessagePart::of_text("What is in the image?")});
    EXPECT_EQ(s.generate(greedy(1)).timings.images_encoded, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Families, VlmSession,
    ::testing::Values(
        Case{"gemma3", "", {104, 104, 104, 104, 302, 26, 99, 239}},
        Case{"qwen25vl", "You are a helpful assistant.", {101, 121, 147, 12, 30, 151, 278, 202}}),
    [](const auto& param_info) { return param_info.param.family; });

TEST(VlmSessionErrors, TextOnlyModelRefusesImages) {
    Session s = Session::load(kVlm / "gemma3" / "text.gguf", {.n_ctx = 64, .validation = true});
    EXPECT_FALSE(s.has_vision());
    const auto image = std::make_shared<const media::Image>(
        media::decode_image_file(kVlm / "gemma3" / "image.png"));
    try {
        s.add_user({MessagePart::of_text("look"), MessagePart::of_image(image)});
        ADD_FAILURE() << "a text-only session took an image";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "this model has no vision encoder; load an mmproj");
    }
    EXPECT_TRUE(s.messages().empty());
}

TEST(VlmSessionErrors, MismatchedPairNamesBothFiles) {
    // gemma3's projector (width 64, gemma3) with the qwen2vl text model: the layout needs
    // M-RoPE-free positions, or the widths differ; either way both files are named.
    SessionOptions o;
    o.n_ctx = 64;
    o.mmproj = kVlm / "gemma3" / "mmproj.gguf";
    try {
        Session::load(kVlm / "qwen25vl" / "text.gguf", o);
        ADD_FAILURE() << "a mismatched pair loaded";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("gemma3"), std::string::npos) << what;
        EXPECT_NE(what.find("qwen25vl"), std::string::npos) << what;
    }
}

}  // namespace
}  // namespace prism
