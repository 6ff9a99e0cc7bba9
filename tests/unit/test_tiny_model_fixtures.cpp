// The tiny decoder fixtures in tests/data/models (written by tools/make_tiny_models.py) parse
// with Prism's GGUF reader and hold what their manifests promise: the tensor set llama.cpp's
// converter writes for each architecture, with shapes from the file's own hyperparameters,
// F32 or Q8_0 where the converter puts them, and reference logits of the stated size. Decoder
// tests rely on all of this, so a fixture regenerated wrongly fails here first.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/tensor_type.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(PRISM_TEST_DATA_DIR) / "models";

// tiny-<family>.expected.txt: "key value value ..." lines, '#' comments.
using Manifest = std::map<std::string, std::vector<std::string>>;

Manifest read_manifest(const std::string& family) {
    std::ifstream in(kDir / ("tiny-" + family + ".expected.txt"));
    Manifest out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string key;
        words >> key;
        for (std::string w; words >> w;) out[key].push_back(w);
    }
    return out;
}

std::string one(const Manifest& m, const std::string& key) {
    const auto it = m.find(key);
    if (it == m.end() || it->second.size() != 1) return {};
    return it->second.front();
}

std::vector<std::uint64_t> ids(const Manifest& m, const std::string& key) {
    std::vector<std::uint64_t> out;
    if (const auto it = m.find(key); it != m.end()) {
        for (const auto& w : it->second) out.push_back(std::stoull(w));
    }
    return out;
}

struct Shape {
    std::uint64_t ne0;
    std::uint64_t ne1;  // 1 for vectors
};

// Tensor name -> shape that llama.cpp's converter writes for this architecture, derived from
// the file's own hyperparameters.
std::map<std::string, Shape> expected_tensors(const gguf::File& file, const std::string& arch) {
    const auto key = [&](const std::string& k) { return arch + "." + k; };
    const auto n_layer = file.get_integer<std::uint64_t>(key("block_count"));
    const auto n_embd = file.get_integer<std::uint64_t>(key("embedding_length"));
    const auto n_ff = file.get_integer<std::uint64_t>(key("feed_forward_length"));
    const auto n_head = file.get_integer<std::uint64_t>(key("attention.head_count"));
    const auto n_kv = file.get_integer<std::uint64_t>(key("attention.head_count_kv"));
    const auto head_dim = file.contains(key("attention.key_length"))
                              ? file.get_integer<std::uint64_t>(key("attention.key_length"))
                              : n_embd / n_head;
    const auto n_vocab = file.value("tokenizer.ggml.tokens").array_size();

    std::map<std::string, Shape> t;
    t["token_embd.weight"] = {n_embd, n_vocab};
    t["output_norm.weight"] = {n_embd, 1};
    if (arch == "llama") {
        t["output.weight"] = {n_embd, n_vocab};  // this fixture is untied
        t["rope_freqs.weight"] = {head_dim / 2, 1};
    }
    for (std::uint64_t il = 0; il < n_layer; ++il) {
        const std::string b = "blk." + std::to_string(il) + ".";
        t[b + "attn_norm.weight"] = {n_embd, 1};
        t[b + "attn_q.weight"] = {n_embd, n_head * head_dim};
        t[b + "attn_k.weight"] = {n_embd, n_kv * head_dim};
        t[b + "attn_v.weight"] = {n_embd, n_kv * head_dim};
        t[b + "attn_output.weight"] = {n_head * head_dim, n_embd};
        t[b + "ffn_norm.weight"] = {n_embd, 1};
        t[b + "ffn_gate.weight"] = {n_embd, n_ff};
        t[b + "ffn_up.weight"] = {n_embd, n_ff};
        t[b + "ffn_down.weight"] = {n_ff, n_embd};
        if (arch == "qwen2") {
            t[b + "attn_q.bias"] = {n_head * head_dim, 1};
            t[b + "attn_k.bias"] = {n_kv * head_dim, 1};
            t[b + "attn_v.bias"] = {n_kv * head_dim, 1};
        }
        if (arch == "qwen3" || arch == "gemma3") {
            t[b + "attn_q_norm.weight"] = {head_dim, 1};
            t[b + "attn_k_norm.weight"] = {head_dim, 1};
        }
        if (arch == "gemma3") {
            t[b + "post_attention_norm.weight"] = {n_embd, 1};
            t[b + "post_ffw_norm.weight"] = {n_embd, 1};
        }
    }
    return t;
}

void check_file(const std::string& path_name, const std::string& arch, bool quantized) {
    SCOPED_TRACE(path_name);
    const auto file = gguf::File::open(kDir / path_name);
    EXPECT_EQ(file.get<std::string>("general.architecture"), arch);
    // LlamaFileType: 0 ALL_F32, 7 MOSTLY_Q8_0.
    EXPECT_EQ(file.get_integer<std::uint32_t>("general.file_type"), quantized ? 7u : 0u);

    const auto expected = expected_tensors(file, arch);
    EXPECT_EQ(file.tensors().size(), expected.size());
    for (const auto& info : file.tensors()) {
        const std::string name(info.name);
        SCOPED_TRACE(name);
        const auto it = expected.find(name);
        ASSERT_NE(it, expected.end()) << "unexpected tensor";
        EXPECT_EQ(info.ne[0], it->second.ne0);
        EXPECT_EQ(info.ne[1], it->second.ne1);
        EXPECT_EQ(info.ne[2] * info.ne[3], 1u);
        // The converter keeps vectors (norms, biases, rope_freqs) in F32 and gives 2-D weights
        // the file's type.
        const bool matrix = info.n_dims == 2;
        EXPECT_EQ(info.type, quantized && matrix ? TensorType::Q8_0 : TensorType::F32);
    }
}

class TinyModelFixture : public testing::TestWithParam<std::string> {};

TEST_P(TinyModelFixture, FilesMatchTheirManifest) {
    const std::string family = GetParam();
    const auto manifest = read_manifest(family);
    ASSERT_FALSE(manifest.empty()) << "missing manifest for " << family;
    const std::string arch = one(manifest, "arch");
    EXPECT_EQ(arch, family);

    check_file(one(manifest, "f32_gguf"), arch, false);
    check_file(one(manifest, "q8_0_gguf"), arch, true);

    const auto vocab = std::stoull(one(manifest, "vocab"));
    const auto rows = std::stoull(one(manifest, "rows"));
    const auto prompt = ids(manifest, "prompt");
    EXPECT_GE(prompt.size(), 8u);
    EXPECT_LE(prompt.size(), 12u);
    // Rows cover the prompt and the first 15 of 16 greedy tokens.
    EXPECT_EQ(rows, prompt.size() + 15);
    for (const char* key : {"f32_generated", "q8_0_generated"}) {
        const auto generated = ids(manifest, key);
        EXPECT_EQ(generated.size(), 16u) << key;
        for (const auto id : generated) EXPECT_LT(id, vocab) << key;
    }
    for (const auto id : prompt) EXPECT_LT(id, vocab);
    for (const char* key : {"f32_logits", "q8_0_logits"}) {
        const fs::path logits = kDir / one(manifest, key);
        ASSERT_TRUE(fs::exists(logits)) << logits;
        EXPECT_EQ(fs::file_size(logits), rows * vocab * sizeof(float)) << logits;
    }
    const auto f32 = gguf::File::open(kDir / one(manifest, "f32_gguf"));
    EXPECT_EQ(f32.value("tokenizer.ggml.tokens").array_size(), vocab);
}

INSTANTIATE_TEST_SUITE_P(Families, TinyModelFixture,
                         testing::Values("llama", "qwen2", "qwen3", "gemma3"),
                         [](const auto& param_info) { return param_info.param; });

// Every file in the folder belongs to a family's manifest (stale fixtures get noticed).
TEST(TinyModelFixtures, EveryFileIsListed) {
    // split/: tiny-llama-f32 as the gguf package's shards (tools/make_split_fixture.py).
    std::set<std::string> listed = {"README.md", "split"};
    for (const std::string family : {"llama", "qwen2", "qwen3", "gemma3"}) {
        listed.insert("tiny-" + family + ".expected.txt");
        for (const auto& [key, values] : read_manifest(family)) {
            if (key.ends_with("_gguf") || key.ends_with("_logits")) listed.insert(values.at(0));
        }
    }
    for (const auto& entry : fs::directory_iterator(kDir)) {
        EXPECT_TRUE(listed.contains(entry.path().filename().string())) << entry.path();
    }
}

}  // namespace
}  // namespace prism
