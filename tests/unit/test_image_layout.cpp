// The prompt layout of images (engine/session/image_layout): marker tokens, embedding slots,
// positions and non-causal spans as llama.cpp's mtmd writes them (mtmd.cpp add_media), on a
// synthetic byte-level BPE vocabulary holding every family's markers. The fixtures' own
// prompt.json files are checked token by token in tests/models/test_vlm_decoder.cpp.

#include "session/image_layout.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "support/gguf_builder.hpp"

namespace prism::session {
namespace {

// Ids: 0 "a", 1 "Ċ" ("\n"), 2 "ĊĊ" ("\n\n"), 3.. the markers below, in order.
const std::vector<std::string_view> kMarkers{"<fake_token_around_image>",
                                             "<global-img>",
                                             "<row_1_col_1>",
                                             "<row_1_col_2>",
                                             "<row_2_col_1>",
                                             "<row_2_col_2>",
                                             "<start_of_image>",
                                             "<end_of_image>",
                                             "<|vision_start|>",
                                             "<|vision_end|>",
                                             "<row_1_col_3>"};
constexpr text::TokenId kNewline = 1, kBlank = 2, kFake = 3, kGlobal = 4, kR1C1 = 5, kR1C2 = 6,
                        kR2C1 = 7, kR2C2 = 8, kSoi = 9, kEoi = 10, kVs = 11, kVe = 12;

text::Tokenizer vocabulary(bool with_markers = true) {
    std::vector<std::string_view> tokens{"a", "\xC4\x8A", "\xC4\x8A\xC4\x8A"};
    std::vector<std::int32_t> types{1, 1, 1};
    if (with_markers) {
        for (auto m : kMarkers) {
            tokens.push_back(m);
            types.push_back(3);  // control
        }
    }
    test::GgufBuilder b;
    b.set("general.architecture", "llama")
        .set("tokenizer.ggml.model", "gpt2")
        .set_array<std::string_view>("tokenizer.ggml.tokens", tokens)
        .set_array<std::int32_t>("tokenizer.ggml.token_type", types)
        .set_array<std::string_view>("tokenizer.ggml.merges", {"\xC4\x8A \xC4\x8A"});
    return text::Tokenizer::from_gguf(gguf::File::from_bytes(b.bytes(), "synthetic.gguf"));
}

TEST(ImageLayout, Idefics3TilesThenGlobalImage) {
    const auto tok = vocabulary();
    const ImageLayout layout(ImageLayoutKind::idefics3, tok, "synthetic.gguf");
    PromptRows rows(false, 5);
    rows.append_token(0);
    const ImageShape image{.tile_rows = 2, .tile_cols = 2, .tokens_per_image = 2};
    EXPECT_EQ(ImageLayout::embedding_rows(image), 10);
    layout.append(rows, image);
    const std::vector<std::int32_t> expected{
        0,                                                           // the text before
        kFake,  kR1C1, -1,      -1, kFake, kR1C2, -1, -1, kNewline,  // tile row 1, "\n"
        kFake,  kR2C1, -1,      -1, kFake, kR2C2, -1, -1,            // last tile row: no "\n"
        kBlank, kFake, kGlobal, -1, -1,    kFake};                   // "\n\n" + global image
    EXPECT_EQ(std::vector<std::int32_t>(rows.tokens().begin(), rows.tokens().end()), expected);
    EXPECT_EQ(rows.embedding_rows(), 10);
    EXPECT_TRUE(rows.non_causal_spans().empty());
    const auto positions = rows.positions();
    ASSERT_EQ(positions.size(), expected.size());  // 1-D
    for (std::size_t i = 0; i < positions.size(); ++i) EXPECT_EQ(positions[i], 5 + i);
    EXPECT_EQ(rows.next_position(), 5 + static_cast<std::int64_t>(expected.size()));

    // Without tiles: the global image only, still after "\n\n".
    PromptRows global(false);
    layout.append(global, {.tokens_per_image = 3});
    EXPECT_EQ(std::vector<std::int32_t>(global.tokens().begin(), global.tokens().end()),
              (std::vector<std::int32_t>{kBlank, kFake, kGlobal, -1, -1, -1, kFake}));
}

TEST(ImageLayout, Gemma3ImageIsOneNonCausalSpan) {
    const auto tok = vocabulary();
    const ImageLayout layout(ImageLayoutKind::gemma3, tok, "synthetic.gguf");
    PromptRows rows(false);
    rows.append_text(std::vector<text::TokenId>{0, 0});
    layout.append(rows, {.tokens_per_image = 4});
    layout.append(rows, {.tokens_per_image = 2});
    EXPECT_EQ(std::vector<std::int32_t>(rows.tokens().begin(), rows.tokens().end()),
              (std::vector<std::int32_t>{0, 0, kSoi, -1, -1, -1, -1, kEoi, kSoi, -1, -1, kEoi}));
    using Span = std::pair<std::int64_t, std::int64_t>;
    EXPECT_EQ(rows.non_causal_spans(), (std::vector<Span>{{3, 7}, {9, 11}}));
    EXPECT_EQ(rows.next_position(), 12);
}

TEST(ImageLayout, QwenMropePositionsAdvanceByTheLongerSide) {
    const auto tok = vocabulary();
    const ImageLayout layout(ImageLayoutKind::qwen, tok, "synthetic.gguf");
    ASSERT_TRUE(layout.mrope());
    PromptRows rows(true);
    rows.append_text(std::vector<text::TokenId>{0, 0});
    // A 3 x 2 merged grid (cols x rows) at position 3, after <|vision_start|> at 2.
    layout.append(rows, {.tokens_per_image = 6, .grid_cols = 3, .grid_rows = 2});
    rows.append_token(0);
    const std::vector<std::int32_t> tokens{0, 0, kVs, -1, -1, -1, -1, -1, -1, kVe, 0};
    EXPECT_EQ(std::vector<std::int32_t>(rows.tokens().begin(), rows.tokens().end()), tokens);
    const auto p = rows.positions();
    ASSERT_EQ(p.size(), 4 * tokens.size());
    const std::size_t n = tokens.size();
    const std::vector<std::int32_t> t{0, 1, 2, 3, 3, 3, 3, 3, 3, 6, 7};
    const std::vector<std::int32_t> h{0, 1, 2, 3, 3, 3, 4, 4, 4, 6, 7};
    const std::vector<std::int32_t> w{0, 1, 2, 3, 4, 5, 3, 4, 5, 6, 7};
    EXPECT_EQ(std::vector<std::int32_t>(p.begin(), p.begin() + n), t);
    EXPECT_EQ(std::vector<std::int32_t>(p.begin() + n, p.begin() + 2 * n), h);
    EXPECT_EQ(std::vector<std::int32_t>(p.begin() + 2 * n, p.begin() + 3 * n), w);
    EXPECT_EQ(std::vector<std::int32_t>(p.begin() + 3 * n, p.end()),
              std::vector<std::int32_t>(n, 0));  // e plane: 0, as llama.cpp sets it
    EXPECT_EQ(rows.next_position(), 8);

    PromptRows bad(true);
    EXPECT_THROW(layout.append(bad, {.tokens_per_image = 6, .grid_cols = 4, .grid_rows = 2}),
                 Error);
    EXPECT_THROW(layout.append(bad, {.tokens_per_image = 6}), Error);
}

TEST(ImageLayout, PlainRowsOnly) {
    const auto tok = vocabulary(false);
    const ImageLayout layout(ImageLayoutKind::plain, tok, "synthetic.gguf");
    PromptRows rows(false);
    layout.append(rows, {.tokens_per_image = 3});
    EXPECT_EQ(std::vector<std::int32_t>(rows.tokens().begin(), rows.tokens().end()),
              (std::vector<std::int32_t>{-1, -1, -1}));
}

TEST(ImageLayout, MissingMarkersAreNamed) {
    const auto tok = vocabulary(false);
    for (auto kind : {ImageLayoutKind::idefics3, ImageLayoutKind::gemma3, ImageLayoutKind::qwen}) {
        try {
            ImageLayout layout(kind, tok, "text.gguf");
            ADD_FAILURE() << "no error for a vocabulary without markers";
        } catch (const Error& e) {
            const std::string what = e.what();
            EXPECT_NE(what.find("text.gguf"), std::string::npos) << what;
            EXPECT_NE(what.find("vocabulary has no"), std::string::npos) << what;
        }
    }
    // A tile cell past the vocabulary's <row_r_col_c> tokens is named too.
    const auto full = vocabulary();
    const ImageLayout layout(ImageLayoutKind::idefics3, full, "text.gguf");
    PromptRows rows(false);
    try {
        layout.append(rows, {.tile_rows = 3, .tile_cols = 1, .tokens_per_image = 1});
        ADD_FAILURE() << "no error for <row_3_col_1>";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("<row_3_col_1>"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace prism::session
