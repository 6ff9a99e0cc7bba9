#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "prism/gguf.hpp"
#include "support/test_files.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

// Every GGUF other projects published that the tests hold: the demo model, tests/data's
// published models and the llama.cpp vocabularies.
std::vector<fs::path> published_ggufs() {
    std::vector<fs::path> out = {test::demo_model()};
    for (const char* sub : {"published-models", "vocab"}) {
        for (const auto& e : fs::directory_iterator(test::test_data(sub))) {
            if (e.path().extension() == ".gguf") out.push_back(e.path());
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

TEST(GgufPublishedFiles, EveryFileReadsAndEveryValueLoads) {
    const auto files = published_ggufs();
    ASSERT_EQ(files.size(), 12u);  // stories260K, 2 published models, 9 vocabularies
    for (const auto& path : files) {
        SCOPED_TRACE(path.string());
        const auto f = gguf::File::open(path);
        EXPECT_EQ(f.version(), 3u);
        EXPECT_TRUE(f.contains("general.architecture"));
        for (const auto& v : f.metadata()) EXPECT_FALSE(v.to_string().empty());
        std::uint64_t bytes = 0;
        for (const auto& t : f.tensors()) {
            EXPECT_EQ(t.data.size(), t.n_bytes);
            EXPECT_LE(t.file_offset + t.n_bytes, f.file_size());
            bytes += t.n_bytes;
        }
        EXPECT_LE(bytes, f.file_size());
    }
}

TEST(GgufPublishedFiles, Stories260K) {
    const auto f = gguf::File::open(test::demo_model());
    EXPECT_EQ(f.get<std::string>("general.architecture"), "llama");
    EXPECT_EQ(f.get<std::uint32_t>("llama.embedding_length"), 64u);
    EXPECT_EQ(f.get<std::uint32_t>("llama.block_count"), 5u);
    EXPECT_EQ(f.get<std::uint32_t>("llama.attention.head_count"), 8u);
    EXPECT_EQ(f.get<std::uint32_t>("llama.attention.head_count_kv"), 4u);
    EXPECT_EQ(f.get<std::uint32_t>("llama.feed_forward_length"), 172u);
    EXPECT_EQ(f.get<std::uint32_t>("llama.context_length"), 2048u);
    EXPECT_FLOAT_EQ(f.get<float>("llama.attention.layer_norm_rms_epsilon"), 1e-5f);
    const auto tokens = f.get_array<std::string_view>("tokenizer.ggml.tokens");
    ASSERT_EQ(tokens.size(), 512u);
    EXPECT_EQ(tokens[0], "<unk>");
    EXPECT_EQ(tokens[1], "<s>");
    EXPECT_EQ(tokens[3], "<0x00>");
    EXPECT_EQ(f.get_array<float>("tokenizer.ggml.scores").size(), 512u);
    EXPECT_EQ(f.tensors().size(), 48u);
    const auto& emb = f.tensor("token_embd.weight");
    EXPECT_EQ(emb.type, TensorType::F32);
    EXPECT_EQ(emb.ne[0], 64u);
    EXPECT_EQ(emb.ne[1], 512u);
    const auto h = f.type_histogram();
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].tensors, 48u);
}

TEST(GgufPublishedFiles, LlamaTinyRandomHasF16Weights) {
    const auto f = gguf::File::open(test::test_data("published-models/llama-2-tiny-random.gguf"));
    EXPECT_EQ(f.tensors().size(), 12u);
    EXPECT_EQ(f.get<std::uint32_t>("general.file_type"), 1u);
    EXPECT_EQ(f.get_array<std::string_view>("tokenizer.ggml.tokens").size(), 32000u);
    EXPECT_EQ(f.tensor("token_embd.weight").type, TensorType::F16);
    EXPECT_EQ(f.tensor("output_norm.weight").type, TensorType::F32);
}

TEST(GgufPublishedFiles, MnistShapes) {
    const auto f = gguf::File::open(test::test_data("published-models/mnist-fc-f32.gguf"));
    EXPECT_EQ(f.get<std::string>("general.architecture"), "mnist-fc");
    EXPECT_EQ(f.tensor("fc1.weight").shape_string(), "[784, 500]");
    EXPECT_EQ(f.tensor("fc2.bias").shape_string(), "[10]");
    EXPECT_EQ(f.parameter_count(), 784u * 500u + 500u + 500u * 10u + 10u);
}

}  // namespace
}  // namespace prism
