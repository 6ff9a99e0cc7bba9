// prism::Session with images, end to end on the tiny vision fixtures (tests/data/vlm): load
// text.gguf + mmproj.gguf, send image.png in a user message, and the reply's first greedy
// tokens must be the fixture's (transformers' own greedy decoding of the same prompt). Then an
// image from an earlier turn stays in the KV cache; a text-only model refuses images.
// smolvlm carries SmolVLM's chat template, which writes the fixture's prompt; gemma3 and
// qwen25vl carry none and the fallbacks Prism picks from their special tokens (Gemma, ChatML)
// write it exactly. llava carries none either, like the llava-1.5 GGUFs people use, so the
// session writes ChatML (as llama.cpp does without --chat-template) while the fixture's prompt
// is llava-hf's "USER: <image>\n... ASSISTANT:": its greedy tokens are not comparable, and the
// test checks the image's rows and the turn bookkeeping instead.
// smolvlm's global image is a 2:1 downscale where llama.cpp's filter (which Prism follows) and
// HF's differ (tests/data/vlm/README.md); the tiles are identical. The fixture's greedy margins
// (>= 1.8% of max |logit|) absorb that difference: the tokens are compared exactly.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "models/greedy_options.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/media/image.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/vision_encoder.hpp"
#include "prism/session.hpp"
#include "session/memory_check.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;
using test::greedy;

const fs::path kVlm = fs::path(PRISM_TEST_DATA_DIR) / "vlm";

struct Case {
    std::string family;
    std::string system;  // the template's default system turn, when the fixture has one
    std::vector<text::TokenId> greedy;  // prompt.json's; empty: the prompts differ (llava)
    std::int64_t image_rows = 0;        // embedding rows of image.png in the prompt
    std::int64_t prompt_tokens = 0;     // prompt rows of the first turn, images included
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
    const std::vector<text::TokenId> tokens(first.tokens.begin(), first.tokens.end());
    if (!c.greedy.empty()) {
        EXPECT_EQ(tokens, c.greedy);
    }
    EXPECT_EQ(tokens.size(), 8u);
    if (c.prompt_tokens > 0) {
        EXPECT_EQ(first.timings.prompt_tokens, c.prompt_tokens);
    } else {
        // The same turn without the image, plus the image's rows (ChatML puts the image at the
        // start of the user's content, next to template text that tokenizes apart anyway).
        ChatMessage text_only{ChatRole::user, "What is in the image?", {}};
        const ChatPrompt rendered = s.chat_template().render(std::span(&text_only, 1), true);
        text::EncodeOptions encode;
        encode.add_special = rendered.add_bos;
        encode.parse_special = true;
        const auto text_tokens =
            static_cast<std::int64_t>(s.tokenizer().encode(rendered.text, encode).size());
        EXPECT_EQ(first.timings.prompt_tokens, text_tokens + c.image_rows);
    }
    EXPECT_EQ(first.timings.images_encoded, 1);
    EXPECT_GT(first.timings.image_encode_seconds, 0.0);

    // The next turn reuses the cached image rows: nothing is encoded again.
    s.add_user({MessagePart::of_text("And now?")});
    const GenerateResult second = s.generate(greedy(2));
    EXPECT_EQ(second.timings.images_encoded, 0);
    EXPECT_GT(second.timings.prompt_tokens_reused, first.timings.prompt_tokens - 1);

    // After a reset the image is encoded again (the cache forgot it), to the same reply.
    s.reset();
    if (!c.system.empty()) s.add_system(c.system);
    s.add_user({MessagePart::of_image(image), MessagePart::of_text("What is in the image?")});
    const GenerateResult again = s.generate(greedy(8));
    EXPECT_EQ(again.timings.images_encoded, 1);
    EXPECT_EQ(std::vector<text::TokenId>(again.tokens.begin(), again.tokens.end()), tokens);
}

INSTANTIATE_TEST_SUITE_P(
    Families, VlmSession,
    ::testing::Values(
        // prompt_tokens: prompt.json's rows (llava: ChatML's text around the image's 16 rows).
        Case{"smolvlm", "", {125, 189, 250, 285, 9, 288, 40, 50}, 12, 49},
        Case{"gemma3", "", {104, 104, 104, 104, 302, 26, 99, 239}, 16, 47},
        Case{"qwen25vl",
             "You are a helpful assistant.",
             {101, 121, 147, 12, 30, 151, 278, 202},
             32,
             90},
        Case{"llava", "", {}, 16, 0}),
    [](const auto& param_info) { return param_info.param.family; });

// An image in a later turn, after a text-only one, and two images in one message (the same
// picture twice: encoded once, its rows placed twice with their own positions).
TEST(VlmSessionTurns, ImagesInLaterTurnsAndSeveralPerMessage) {
    for (const std::string family : {"gemma3", "qwen25vl"}) {
        SCOPED_TRACE(family);
        SessionOptions o;
        o.n_ctx = 256;
        o.validation = true;
        o.mmproj = kVlm / family / "mmproj.gguf";
        Session s = Session::load(kVlm / family / "text.gguf", o);
        const auto image = std::make_shared<const media::Image>(
            media::decode_image_file(kVlm / family / "image.png"));
        s.add_user("Hi");
        const GenerateResult text_turn = s.generate(greedy(2));
        EXPECT_EQ(text_turn.timings.images_encoded, 0);

        s.add_user({MessagePart::of_text("Compare "), MessagePart::of_image(image),
                    MessagePart::of_text(" with "), MessagePart::of_image(image)});
        const GenerateResult two = s.generate(greedy(2));
        EXPECT_EQ(two.timings.images_encoded, 1);
        EXPECT_GT(two.timings.prompt_tokens_reused, 0);  // the first turn's rows
        EXPECT_EQ(two.tokens.size(), 2u);
    }
}

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

// SmolVLM-256M's encoder (SigLIP-B/16 at 512, 12 heads, scale 4, 2048 longest edge): one
// 1024-patch tile's activations (~70 MB: widths 768/3072) dominate; the 17 inputs' rows
// (17 x 64 x 576 floats) add 2.5 MB.
TEST(VlmSessionMemory, VisionActivationEstimateForSmolVlm256M) {
    models::VisionHParams h;
    h.projector = models::ProjectorType::idefics3;
    h.n_embd = 768;
    h.n_ff = 3072;
    h.n_head = 12;
    h.head_dim = 64;
    h.image_size = 512;
    h.patch_size = 16;
    h.scale_factor = 4;
    h.output_dim = 576;
    h.preprocess.longest_edge = 2048;
    h.preprocess.image_size = 512;
    const std::uint64_t mb = session::vision_activation_bytes(h) >> 20;
    EXPECT_GE(mb, 60u);
    EXPECT_LE(mb, 80u);
    // Qwen: bounded by max_pixels, so a larger cap costs proportionally more.
    h.projector = models::ProjectorType::qwen25vl;
    h.patch_size = 14;
    h.preprocess.max_pixels = 1024 * 28 * 28;
    const std::uint64_t small = session::vision_activation_bytes(h);
    h.preprocess.max_pixels *= 4;
    EXPECT_GT(session::vision_activation_bytes(h), 3 * small);
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
