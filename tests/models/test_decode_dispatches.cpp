// The fused decode step: a layer of every decoder family is at most six dispatches (Q/K/V
// product with its norm, attention inputs, attention, output product with the residual add,
// gate/up product with its norm and activation, down product with the residual add), counted
// by the device context (gpu::WorkStats), and a token is one submit. Also the exact widening
// that lets mixed legacy types share one stacked Q/K/V matrix.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "models/weight_widen.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/decoder.hpp"
#include "prism/quant.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(PRISM_TEST_DATA_DIR) / "models";

struct Family {
    std::string name;
    std::string type;
    // Dispatches a split layer records: attention norm, Q/K/V product, attention inputs,
    // attention, output product, add, FFN norm, gate/up product, activation, down product, add
    // (11); plus the Q/K/V bias (qwen2) and the two post-norms (gemma3).
    std::uint64_t split_per_layer;
};

class DecodeDispatches : public GpuTest, public ::testing::WithParamInterface<Family> {};

struct StepWork {
    std::uint64_t dispatches = 0, barriers = 0, submits = 0;
};

// The work of one decode step after a prefill (so that attention sees a cache).
StepWork decode_step(gpu::Context& ctx, models::Decoder& decoder) {
    const std::vector<std::int32_t> prompt{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    decoder.forward(prompt);
    const gpu::WorkStats before = ctx.work_stats();
    const std::int32_t next = 11;
    decoder.forward(std::span(&next, 1));
    const gpu::WorkStats after = ctx.work_stats();
    return {after.dispatches - before.dispatches, after.barriers - before.barriers,
            after.submits - before.submits};
}

TEST_P(DecodeDispatches, FusedIsSixPerLayerOneSubmitPerToken) {
    const auto& [family, type, split_per_layer] = GetParam();
    const auto file = gguf::File::open(kDir / ("tiny-" + family + "-" + type + ".gguf"));
    models::Decoder decoder(ctx(), file, {.n_ctx = 32, .decode_path = models::DecodePath::fused});
    const StepWork step = decode_step(ctx(), decoder);
    const auto layers = static_cast<std::uint64_t>(decoder.hparams().n_layer);
    // Outside the layers: the embedding lookup, Gemma's embedding scale, the last layer's
    // pending post-norm and add (Gemma), the output norm and the head's product.
    const std::uint64_t outside =
        3 + (decoder.traits().scale_embeddings ? 1 : 0) + (decoder.traits().post_norms ? 2 : 0);
    std::cout << "[ decode   ] " << family << " " << type << " fused: " << step.dispatches
              << " dispatches, " << step.barriers << " barriers, " << step.submits
              << " submit(s) for " << layers << " layers\n";
    EXPECT_EQ(step.dispatches, outside + 6 * layers);
    // Every dispatch of a layer needs the one before it; nothing else waits.
    EXPECT_LE(step.barriers, step.dispatches);
    // The token ids and positions go straight into mapped memory on lavapipe (unified
    // memory), so the recording is the only submit.
    EXPECT_EQ(step.submits, 1u);
}

// The split path (PRISM_DECODE=split, for comparison) keeps every norm, add and activation its own
// dispatch; its count is pinned too so that a change to either path shows.
TEST_P(DecodeDispatches, SplitKeepsItsSeparateDispatches) {
    const auto& [family, type, split_per_layer] = GetParam();
    const auto file = gguf::File::open(kDir / ("tiny-" + family + "-" + type + ".gguf"));
    models::Decoder decoder(ctx(), file, {.n_ctx = 32, .decode_path = models::DecodePath::split});
    const StepWork step = decode_step(ctx(), decoder);
    const auto layers = static_cast<std::uint64_t>(decoder.hparams().n_layer);
    // Outside the layers: the embedding lookup, Gemma's embedding scale, the output norm and
    // the head's product.
    const std::uint64_t outside = 3 + (decoder.traits().scale_embeddings ? 1 : 0);
    std::cout << "[ decode   ] " << family << " " << type << " split: " << step.dispatches
              << " dispatches for " << layers << " layers\n";
    EXPECT_EQ(step.dispatches, outside + split_per_layer * layers);
    EXPECT_EQ(step.submits, 1u);
}

class DecodePathChoice : public GpuTest {};

TEST_F(DecodePathChoice, FusedOnEveryDeviceUnlessAsked) {
    const auto file = gguf::File::open(kDir / "tiny-llama-q8_0.gguf");
    if (std::getenv("PRISM_DECODE") != nullptr) GTEST_SKIP() << "PRISM_DECODE overrides it";
    models::Decoder automatic(ctx(), file, {.n_ctx = 32});
    EXPECT_EQ(automatic.decode_path(), models::DecodePath::fused);
    models::Decoder split(ctx(), file, {.n_ctx = 32, .decode_path = models::DecodePath::split});
    EXPECT_EQ(split.decode_path(), models::DecodePath::split);
}

INSTANTIATE_TEST_SUITE_P(Families, DecodeDispatches,
                         ::testing::Values(Family{"llama", "q8_0", 11}, Family{"qwen2", "q8_0", 12},
                                           Family{"qwen3", "q8_0", 11},
                                           Family{"gemma3", "q8_0", 13},
                                           Family{"gemma3", "f32", 13}),
                         [](const auto& param_info) {
                             return param_info.param.name + "_" + param_info.param.type;
                         });

// Random blocks of Q4_0 and Q5_0 (any bytes are valid blocks; d kept finite) widened to Q8_0
// dequantize to exactly the same values.
TEST(WeightWiden, Q4_0AndQ5_0BecomeQ8_0WithTheSameValues) {
    std::mt19937 rng(7);
    for (const TensorType type : {TensorType::Q4_0, TensorType::Q5_0}) {
        const std::size_t block = tensor_type_info(type).block_bytes, blocks = 64;
        std::vector<std::byte> data(block * blocks);
        for (auto& b : data) b = static_cast<std::byte>(rng() & 0xFF);
        for (std::size_t i = 0; i < blocks; ++i) {
            data[i * block] = std::byte{0x00};
            data[i * block + 1] = static_cast<std::byte>(0x20 + (i % 0x30));  // finite d
        }
        const auto wide = models::widen_to_q8_0(type, data);
        ASSERT_EQ(wide.size(), blocks * tensor_type_info(TensorType::Q8_0).block_bytes);
        EXPECT_EQ(dequantize(type, data, blocks * 32),
                  dequantize(TensorType::Q8_0, wide, blocks * 32))
            << tensor_type_name(type);
    }
    const std::vector<TensorType> mixed{TensorType::Q5_0, TensorType::Q5_0, TensorType::Q8_0};
    EXPECT_EQ(models::shared_weight_type(mixed), TensorType::Q8_0);
    const std::vector<TensorType> k_quants{TensorType::Q4_K, TensorType::Q6_K};
    EXPECT_FALSE(models::shared_weight_type(k_quants).has_value());
    const std::vector<std::byte> q4_k(144);
    EXPECT_THROW(models::widen_to_q8_0(TensorType::Q4_K, q4_k), Error);
}

}  // namespace
}  // namespace prism::test
