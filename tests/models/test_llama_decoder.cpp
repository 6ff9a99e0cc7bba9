// The `llama` decoder on the Vulkan device against a CPU forward pass, the known greedy
// continuation of stories260K, chunked prefill, decode after prefill and the context limit.

#include <gtest/gtest.h>

#include <vector>

#include "models/model_files.hpp"
#include "models/reference_decoder.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/decoder.hpp"
#include "prism/text/sampler.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

using models::Decoder;
using models::DecoderOptions;

// The first 48 greedy tokens of stories260K from BOS (resources/models/PROVENANCE.md,
// checked there against llama2.c's documented output).
const std::vector<std::int32_t> kStoriesGreedy = {
    403, 407, 261, 378, 432, 383, 286, 261, 376, 298, 315, 421, 395, 317, 426, 338,
    401, 396, 267, 337, 410, 408, 419, 292, 411, 322, 265, 282, 295, 433, 426, 385,
    328, 432, 358, 394, 261, 370, 432, 352, 266, 268, 388, 426, 338, 391, 266, 267};

using LlamaDecoder = GpuTest;

std::vector<std::int32_t> stories_prompt(std::size_t n) {
    std::vector<std::int32_t> t{1};
    t.insert(t.end(), kStoriesGreedy.begin(), kStoriesGreedy.begin() + static_cast<long>(n - 1));
    return t;
}

TEST_F(LlamaDecoder, Stories260KGreedyFromBosMatchesLlama2c) {
    const auto file = gguf::File::open(demo_model());
    Decoder decoder(ctx(), file, {.n_ctx = 64, .prefill_chunk = 16});
    EXPECT_EQ(decoder.hparams().n_head_kv, 4);
    EXPECT_EQ(decoder.n_vocab(), 512);
    std::vector<std::int32_t> generated;
    std::vector<std::int32_t> next{1};
    for (std::size_t i = 0; i < kStoriesGreedy.size(); ++i) {
        const auto logits = decoder.forward(next);
        next = {text::argmax(logits)};
        generated.push_back(next[0]);
    }
    EXPECT_EQ(generated, kStoriesGreedy);
    EXPECT_EQ(decoder.n_past(), 48);
}

// Tolerance of every logit comparison here: kTolerance x max |logit|. The GPU sums in f32 in
// another order than the double CPU reference (or another kernel), and K/V then go through the
// f16 cache, where a last-bit difference can flip a rounding: one f16 ulp is 2^-11 ~ 4.9e-4
// relative. Measured gaps are ~1.1e-4 (vs CPU) and ~1.4e-4 (chunked vs whole) of max |logit|
// on stories260K; 5e-4 leaves a 3x margin and is 2x tighter than the 1e-3.
constexpr float kTolerance = 5e-4f;

// f32 weights, GQA 2:1, 5 layers.
TEST_F(LlamaDecoder, Stories260KAllLogitsMatchCpuReference) {
    const auto file = gguf::File::open(demo_model());
    const auto tokens = stories_prompt(12);
    const auto expected = reference_forward(file, tokens);
    Decoder decoder(ctx(), file, {.n_ctx = 32, .prefill_chunk = 32});
    const auto actual = decoder.forward(tokens, true);
    const LogitGap gap = logit_gap(expected, actual);
    EXPECT_LE(gap.max_abs_diff, kTolerance * gap.max_abs) << "max |logit| " << gap.max_abs;
}

// Prefill split into chunks of 3 (matrix-vector kernels) gives the logits of one chunk of 20
// (tiled kernels): the kernels differ only in summation order (same budget).
TEST_F(LlamaDecoder, ChunkedPrefillEqualsOneChunk) {
    const auto file = gguf::File::open(demo_model());
    const auto tokens = stories_prompt(20);
    Decoder whole(ctx(), file, {.n_ctx = 32, .prefill_chunk = 32});
    Decoder chunked(ctx(), file, {.n_ctx = 32, .prefill_chunk = 3});
    const auto a = whole.forward(tokens, true);
    const auto b = chunked.forward(tokens, true);
    ASSERT_EQ(a.size(), 20u * 512u);
    const LogitGap gap = logit_gap(a, b);
    EXPECT_LE(gap.max_abs_diff, kTolerance * gap.max_abs);
    // Without all_logits only the last token's come back, equal to the last of all.
    chunked.truncate(0);
    const auto last = chunked.forward(tokens);
    ASSERT_EQ(last.size(), 512u);
    EXPECT_LE(logit_gap(std::span(a).last(512), last).max_abs_diff, kTolerance * gap.max_abs);
}

// Decoding token by token after a prefill continues the positions and reuses the cache.
TEST_F(LlamaDecoder, DecodeAfterPrefillEqualsLongerPrefill) {
    const auto file = gguf::File::open(demo_model());
    const auto tokens = stories_prompt(18);
    Decoder longer(ctx(), file, {.n_ctx = 32});
    const auto expected = longer.forward(tokens);

    Decoder stepwise(ctx(), file, {.n_ctx = 32});
    stepwise.forward(std::span(tokens).first(15));
    EXPECT_EQ(stepwise.n_past(), 15);
    stepwise.forward(std::span(tokens).subspan(15, 2));
    const auto actual = stepwise.forward(std::span(tokens).subspan(17, 1));
    EXPECT_EQ(stepwise.n_past(), 18);
    const LogitGap gap = logit_gap(expected, actual);
    EXPECT_LE(gap.max_abs_diff, kTolerance * gap.max_abs);
}

TEST_F(LlamaDecoder, FullContextIsAClearErrorAndChangesNothing) {
    const auto file = gguf::File::open(demo_model());
    Decoder decoder(ctx(), file, {.n_ctx = 8, .prefill_chunk = 4});
    const std::vector<std::int32_t> six{1, 403, 407, 261, 378, 432};
    decoder.forward(six);
    const std::vector<std::int32_t> three{383, 286, 261};
    try {
        decoder.forward(three);
        FAIL() << "3 tokens fitted into 2 free positions";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("context is full: 6 of 8"), std::string::npos)
            << e.what();
    }
    EXPECT_EQ(decoder.n_past(), 6);
    decoder.forward(std::span(three).first(2));
    EXPECT_EQ(decoder.n_past(), 8);
    EXPECT_THROW(decoder.forward(std::span(three).first(1)), Error);
    // A new sequence fits again.
    decoder.truncate(0);
    EXPECT_NO_THROW(decoder.forward(six));
}

TEST_F(LlamaDecoder, RejectsBadOptionsAndTokens) {
    const auto file = gguf::File::open(demo_model());
    EXPECT_THROW(Decoder(ctx(), file, {.n_ctx = -1}), Error);
    // Longer than the model's 2048 is allowed, as in llama.cpp (the session warns).
    EXPECT_EQ(Decoder(ctx(), file, {.n_ctx = 4096}).n_ctx(), 4096);
    EXPECT_THROW(Decoder(ctx(), file, {.n_ctx = 8, .prefill_chunk = 0}), Error);
    Decoder decoder(ctx(), file, {.n_ctx = 8});
    const std::vector<std::int32_t> bad{1, 512};
    EXPECT_THROW(decoder.forward(bad), Error);
    EXPECT_THROW(decoder.forward(std::vector<std::int32_t>{}), Error);
    EXPECT_EQ(decoder.n_past(), 0);
}

// F16 matrices, a 32000-token vocabulary, a separate output matrix and head_dim 4 (padded to
// the attention kernel's 8 in Q and the cache). F16 weights decode exactly on both sides, so
// the same budget holds.
TEST_F(LlamaDecoder, Llama2TinyRandomF16MatchesCpuReference) {
    const auto file = gguf::File::open(test_data("published-models/llama-2-tiny-random.gguf"));
    const std::vector<std::int32_t> tokens{1, 450, 4996, 17354, 1701, 29916};
    Decoder decoder(ctx(), file, {.n_ctx = 16, .prefill_chunk = 4});
    EXPECT_EQ(decoder.n_vocab(), 32000);
    EXPECT_EQ(decoder.hparams().head_dim, 4);
    const auto actual = decoder.forward(tokens, true);
    const auto expected = reference_forward(file, tokens);
    ASSERT_EQ(actual.size(), expected.size());
    const LogitGap gap = logit_gap(expected, actual);
    EXPECT_GT(gap.max_abs, 0.0f);
    EXPECT_LE(gap.max_abs_diff, kTolerance * gap.max_abs) << "max |logit| " << gap.max_abs;
    // Then two decode steps continue from the cache.
    const std::vector<std::int32_t> next{text::argmax(std::span(actual).last(32000))};
    const auto step = decoder.forward(next);
    std::vector<std::int32_t> all = tokens;
    all.push_back(next[0]);
    const auto expected_step = reference_forward(file, all);
    EXPECT_LE(logit_gap(std::span(expected_step).last(32000), step).max_abs_diff,
              kTolerance * gap.max_abs);
}

// A synthetic model with GQA 2:1 and quantized matrices: the decoder keeps Q8_0 / Q4_1 weights
// in their type (weight bytes equal the file's tensor bytes) and matches the CPU reference,
// which dequantizes the same blocks. Same budget (dequantized values are identical on both sides).
class TinyLlamaTypes : public LlamaDecoder, public ::testing::WithParamInterface<TensorType> {};

TEST_P(TinyLlamaTypes, MatchesCpuReferenceAndKeepsWeightType) {
    const auto file = gguf::File::from_bytes(
        tiny_llama({.weight_type = GetParam(), .tied_output = false}).bytes(), "tiny-llama.gguf");
    Decoder decoder(ctx(), file, {.n_ctx = 32, .prefill_chunk = 16});
    std::uint64_t tensor_bytes = 0;
    for (const auto& t : file.tensors()) tensor_bytes += t.n_bytes;
    EXPECT_EQ(decoder.weight_bytes(), tensor_bytes);
    const std::vector<std::int32_t> tokens{0, 5, 17, 42, 9, 33, 21, 2, 47, 13};
    const auto expected = reference_forward(file, tokens);
    const auto actual = decoder.forward(tokens, true);
    const LogitGap gap = logit_gap(expected, actual);
    EXPECT_LE(gap.max_abs_diff, kTolerance * gap.max_abs) << "max |logit| " << gap.max_abs;
}

INSTANTIATE_TEST_SUITE_P(WeightTypes, TinyLlamaTypes,
                         ::testing::Values(TensorType::F32, TensorType::Q8_0, TensorType::Q4_1),
                         [](const auto& param_info) {
                             return std::string(tensor_type_name(param_info.param));
                         });

}  // namespace
}  // namespace prism::test
