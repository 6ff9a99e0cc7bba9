// Every decoder family on the tiny random-weight fixtures of tests/data/models (written by
// tools/make_tiny_models.py): logits at every prompt and generated position against
// transformers (F32 files) or the script's float64 numpy pass over the dequantized weights
// (Q8_0 files), and the 16 greedy tokens, through a chunked prefill then one-token decodes.
// Also the hyperparameters that only gemma3 reads (sliding-window pattern, softcap).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
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

namespace fs = std::filesystem;
using models::DecodePath;
using models::Decoder;

const fs::path kDir = fs::path(PRISM_TEST_DATA_DIR) / "models";

// tiny-<family>.expected.txt: "key value value ..." lines, '#' comments.
class Manifest {
  public:
    explicit Manifest(const std::string& family) {
        const fs::path path = kDir / ("tiny-" + family + ".expected.txt");
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot read " + path.string());
        for (std::string line; std::getline(in, line);) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream words(line);
            std::string key;
            words >> key;
            for (std::string w; words >> w;) values_[key].push_back(w);
        }
    }
    std::string text(const std::string& key) const { return words(key).at(0); }
    float number(const std::string& key) const { return std::stof(text(key)); }
    std::vector<std::int32_t> ids(const std::string& key) const {
        std::vector<std::int32_t> out;
        for (const auto& w : words(key)) out.push_back(std::stoi(w));
        return out;
    }

  private:
    const std::vector<std::string>& words(const std::string& key) const {
        const auto it = values_.find(key);
        if (it == values_.end() || it->second.empty())
            throw std::runtime_error("manifest has no '" + key + "'");
        return it->second;
    }
    std::map<std::string, std::vector<std::string>> values_;
};

std::vector<float> read_logits(const fs::path& path, std::size_t count) {
    std::ifstream in(path, std::ios::binary);
    std::vector<float> out(count);
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(count * 4));
    if (!in || in.peek() != std::char_traits<char>::eof())
        throw std::runtime_error(path.string() + " does not hold exactly " + std::to_string(count) +
                                 " floats");
    return out;
}

struct Case {
    std::string family;
    std::string type;  // "f32" or "q8_0": the manifest's key prefix
};

class TinyFixture : public GpuTest, public ::testing::WithParamInterface<Case> {};

// Tolerance: the manifest's, 1e-3 x max |reference logit| (the bound). For F32 files it
// covers f32 vs transformers' f32 in another summation order plus the f16 KV cache (~5e-4
// relative per K/V element); for Q8_0 the weights dequantize exactly on both sides and Prism
// keeps activations in f32, so the same budget holds against the float64 numpy pass.
TEST_P(TinyFixture, AllLogitsAndGreedyTokensMatchReference) {
    const auto& [family, type] = GetParam();
    const Manifest m(family);
    const auto file = gguf::File::open(kDir / m.text(type + "_gguf"));
    const auto prompt = m.ids("prompt");
    const auto expected_tokens = m.ids(type + "_generated");
    const float tolerance = m.number(type + "_tolerance");
    const auto rows = static_cast<std::size_t>(std::stoul(m.text("rows")));
    ASSERT_EQ(rows, prompt.size() + expected_tokens.size() - 1);

    // Chunks of 5 run every prompt (8..12 tokens) through the decode path (up to 8 columns);
    // chunks of 9 put its first piece through the matrix-matrix path. Gemma3's window of 4 spans
    // a chunk boundary either way. Both decode paths run whatever the device's default.
    for (const auto& [path, path_name] :
         {std::pair{DecodePath::fused, "fused"}, std::pair{DecodePath::split, "split"}})
        for (const std::int64_t chunk : {5, 9}) {
            SCOPED_TRACE(std::string(path_name) + " decode, prefill chunk " +
                         std::to_string(chunk));
            Decoder decoder(ctx(), file,
                            {.n_ctx = 32, .prefill_chunk = chunk, .decode_path = path});
            ASSERT_EQ(decoder.decode_path(), path);
            const auto vocab = static_cast<std::size_t>(decoder.n_vocab());
            const auto reference = read_logits(kDir / m.text(type + "_logits"), rows * vocab);

            float max_diff = 0;
            std::size_t worst_row = 0;
            const auto check_rows = [&](std::span<const float> actual, std::size_t row0) {
                for (std::size_t r = 0; r * vocab < actual.size(); ++r) {
                    const LogitGap gap =
                        logit_gap(std::span(reference).subspan((row0 + r) * vocab, vocab),
                                  actual.subspan(r * vocab, vocab));
                    if (gap.max_abs_diff > max_diff) {
                        max_diff = gap.max_abs_diff;
                        worst_row = row0 + r;
                    }
                }
            };

            std::vector<float> logits = decoder.forward(prompt, true);
            ASSERT_EQ(logits.size(), prompt.size() * vocab);
            check_rows(logits, 0);
            std::vector<std::int32_t> generated;
            for (std::size_t i = 0; i < expected_tokens.size(); ++i) {
                const std::int32_t next = text::argmax(std::span(logits).last(vocab));
                generated.push_back(next);
                if (i + 1 == expected_tokens.size()) break;  // the reference has no row after it
                logits = decoder.forward(std::span(&next, 1));
                check_rows(logits, prompt.size() + i);
            }
            std::cout << "[ tiny     ] " << family << " " << type << " " << path_name << " chunk "
                      << chunk << ": max |logit diff| " << max_diff << " (row " << worst_row
                      << "), tolerance " << tolerance << "\n";
            EXPECT_LE(max_diff, tolerance) << "worst row " << worst_row;
            EXPECT_EQ(generated, expected_tokens);
            EXPECT_EQ(decoder.n_past(), static_cast<std::int64_t>(rows));
        }
}

INSTANTIATE_TEST_SUITE_P(Families, TinyFixture,
                         ::testing::Values(Case{"llama", "f32"}, Case{"llama", "q8_0"},
                                           Case{"qwen2", "f32"}, Case{"qwen2", "q8_0"},
                                           Case{"qwen3", "f32"}, Case{"qwen3", "q8_0"},
                                           Case{"gemma3", "f32"}, Case{"gemma3", "q8_0"}),
                         [](const auto& param_info) {
                             return param_info.param.family + "_" + param_info.param.type;
                         });

class TinyLlamaCache : public GpuTest {};

// Where the gap to transformers comes from: the CPU reference (double sums, K/V rounded to f16
// as in Prism's cache) sits as far from transformers as the GPU does, while the GPU sits much
// closer to it (5e-4 x max |logit|, the llama tests' budget for f32 summation order).
TEST_F(TinyLlamaCache, GapToTransformersIsTheF16Cache) {
    const Manifest m("llama");
    const auto file = gguf::File::open(kDir / m.text("f32_gguf"));
    auto tokens = m.ids("prompt");
    const auto generated = m.ids("f32_generated");
    tokens.insert(tokens.end(), generated.begin(), generated.end() - 1);
    Decoder decoder(ctx(), file, {.n_ctx = 32, .prefill_chunk = 32});
    const auto gpu = decoder.forward(tokens, true);
    const auto cpu = reference_forward(file, tokens);
    const auto hf = read_logits(kDir / m.text("f32_logits"), gpu.size());
    const LogitGap gpu_cpu = logit_gap(cpu, gpu);
    const LogitGap cpu_hf = logit_gap(hf, cpu);
    const LogitGap gpu_hf = logit_gap(hf, gpu);
    std::cout << "[ tiny     ] llama f32 whole prefill: gpu-cpu " << gpu_cpu.max_abs_diff
              << ", cpu(f16 kv)-transformers " << cpu_hf.max_abs_diff << ", gpu-transformers "
              << gpu_hf.max_abs_diff << "\n";
    EXPECT_LE(gpu_cpu.max_abs_diff, 5e-4f * gpu_cpu.max_abs);
    EXPECT_LE(gpu_cpu.max_abs_diff, 0.5f * cpu_hf.max_abs_diff);
}

TEST(TinyFixtureHParams, FamiliesReadTheirOwnKeys) {
    const auto gemma = models::read_hparams(gguf::File::open(kDir / "tiny-gemma3-f32.gguf"));
    EXPECT_EQ(gemma.n_swa, 4);
    EXPECT_EQ(gemma.swa_layers, (std::vector<bool>{true, false}));  // pattern key = 2
    EXPECT_EQ(gemma.rope_freq_base_swa, 10000.0f);
    EXPECT_EQ(gemma.final_logit_softcap, 0.0f);

    const auto qwen3 = models::read_hparams(gguf::File::open(kDir / "tiny-qwen3-f32.gguf"));
    EXPECT_NE(qwen3.head_dim * qwen3.n_head, qwen3.n_embd);
    EXPECT_EQ(qwen3.n_swa, 0);
    EXPECT_EQ(qwen3.swa_layers, std::vector<bool>(3, false));
}

// Only the keys matter to read_hparams: a file of gemma3 keys without tensors will do.
models::DecoderHParams gemma_hparams(std::uint32_t layers,
                                     const std::function<void(GgufBuilder&)>& edit) {
    GgufBuilder b;
    b.set("general.architecture", "gemma3");
    b.set<std::uint32_t>("gemma3.context_length", 64);
    b.set<std::uint32_t>("gemma3.embedding_length", 32);
    b.set<std::uint32_t>("gemma3.block_count", layers);
    b.set<std::uint32_t>("gemma3.feed_forward_length", 64);
    b.set<std::uint32_t>("gemma3.attention.head_count", 4);
    b.set<float>("gemma3.attention.layer_norm_rms_epsilon", 1e-6f);
    edit(b);
    return models::read_hparams(gguf::File::from_bytes(b.bytes(), "synthetic-gemma3.gguf"));
}

void window_512(GgufBuilder& b) {
    b.set<std::uint32_t>("gemma3.attention.sliding_window", 512);
}

TEST(Gemma3SlidingPattern, DefaultsToLlamaCppsPeriodOfSix) {
    const auto h = gemma_hparams(12, window_512);
    std::vector<bool> expected(12, true);
    expected[5] = expected[11] = false;
    EXPECT_EQ(h.swa_layers, expected);
    EXPECT_EQ(h.n_swa, 512);
}

TEST(Gemma3SlidingPattern, ReadsAPeriodOrPerLayerFlags) {
    auto period3 = gemma_hparams(6, [](GgufBuilder& b) {
        window_512(b);
        b.set<std::uint32_t>("gemma3.attention.sliding_window_pattern", 3);
    });
    EXPECT_EQ(period3.swa_layers, (std::vector<bool>{true, true, false, true, true, false}));
    auto flags = gemma_hparams(3, [](GgufBuilder& b) {
        window_512(b);
        b.set_array<bool>("gemma3.attention.sliding_window_pattern", {false, true, false});
    });
    EXPECT_EQ(flags.swa_layers, (std::vector<bool>{false, true, false}));
    EXPECT_THROW(
        gemma_hparams(
            4,
            [](GgufBuilder& b) {
                window_512(b);
                b.set_array<bool>("gemma3.attention.sliding_window_pattern", {true, false});
            }),
        FormatError);
    // Without a window no layer slides, whatever the pattern says.
    auto no_window = gemma_hparams(2, [](GgufBuilder& b) {
        b.set<std::uint32_t>("gemma3.attention.sliding_window", 0);
        b.set<std::uint32_t>("gemma3.attention.sliding_window_pattern", 2);
    });
    EXPECT_EQ(no_window.swa_layers, (std::vector<bool>{false, false}));
}

class SoftcapDecoder : public GpuTest {};

// A final_logit_softcapping key turns every logit into cap * tanh(logit / cap). Tolerance as
// in the llama tests (5e-4 x max |logit|: f32 sums and the f16 cache); tanh only shrinks gaps.
TEST_F(SoftcapDecoder, CapsLogitsWhenTheFileSaysSo) {
    constexpr float cap = 3.0f;
    GgufBuilder b = tiny_llama({.tied_output = false});
    const auto plain = gguf::File::from_bytes(b.bytes(), "tiny-llama.gguf");
    b.set<float>("llama.final_logit_softcapping", cap);
    const auto capped = gguf::File::from_bytes(b.bytes(), "tiny-llama-softcap.gguf");
    const std::vector<std::int32_t> tokens{0, 5, 17, 42, 9};
    auto expected = reference_forward(plain, tokens);
    const LogitGap raw = logit_gap(expected, expected);
    ASSERT_GT(raw.max_abs, cap);  // the cap bites
    for (float& v : expected) v = cap * std::tanh(v / cap);
    Decoder decoder(ctx(), capped, {.n_ctx = 16});
    const auto actual = decoder.forward(tokens, true);
    const LogitGap gap = logit_gap(expected, actual);
    EXPECT_LE(gap.max_abs, cap);
    EXPECT_LE(gap.max_abs_diff, 5e-4f * raw.max_abs);
}

}  // namespace
}  // namespace prism::test
