#include "models/model_files.hpp"

#include <cstring>
#include <vector>

#include "prism/quant.hpp"

namespace prism::test {

GgufBuilder tiny_llama(const TinyLlamaSpec& spec) {
    constexpr std::uint64_t n_embd = 32, n_head = 4, n_kv = 2, hd = 8, n_ff = 64, vocab = 48;
    GgufBuilder b;
    b.set("general.architecture", spec.architecture.c_str());
    const std::string a = spec.architecture + ".";
    b.set<std::uint32_t>(a + "context_length", 64);
    b.set<std::uint32_t>(a + "embedding_length", n_embd);
    b.set<std::uint32_t>(a + "block_count", 2);
    b.set<std::uint32_t>(a + "feed_forward_length", n_ff);
    b.set<std::uint32_t>(a + "attention.head_count", n_head);
    b.set<std::uint32_t>(a + "attention.head_count_kv", n_kv);
    b.set<std::uint32_t>(a + "rope.dimension_count", hd);
    b.set<float>(a + "attention.layer_norm_rms_epsilon", 1e-5f);

    std::uint32_t seed = 1;
    const auto add = [&](const std::string& name, std::uint64_t ne0, std::uint64_t ne1,
                         bool matrix) {
        if (name == spec.omit) return;
        std::vector<std::uint64_t> ne = matrix ? std::vector{ne0, ne1} : std::vector{ne0};
        if (name == spec.wrong_shape) ne = matrix ? std::vector{ne1, ne0} : std::vector{ne0 + 1};
        const TensorType type = matrix ? spec.weight_type : TensorType::F32;
        const auto bytes = random_quantized(type, ne0 * (matrix ? ne1 : 1), seed++);
        std::vector<std::byte> data(bytes.size());
        std::memcpy(data.data(), bytes.data(), bytes.size());
        if (!matrix) {
            // Norm weights near one, as trained models have them.
            auto* f = reinterpret_cast<float*>(data.data());
            for (std::uint64_t i = 0; i < ne0; ++i) f[i] = 1.0f + 0.25f * f[i];
        }
        b.tensor(name, type, ne, std::move(data));
    };
    add("token_embd.weight", n_embd, vocab, true);
    for (int il = 0; il < 2; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        add(p + "attn_norm.weight", n_embd, 1, false);
        add(p + "attn_q.weight", n_embd, n_head * hd, true);
        add(p + "attn_k.weight", n_embd, n_kv * hd, true);
        add(p + "attn_v.weight", n_embd, n_kv * hd, true);
        add(p + "attn_output.weight", n_head * hd, n_embd, true);
        add(p + "ffn_norm.weight", n_embd, 1, false);
        add(p + "ffn_gate.weight", n_embd, n_ff, true);
        add(p + "ffn_up.weight", n_embd, n_ff, true);
        add(p + "ffn_down.weight", n_ff, n_embd, true);
    }
    add("output_norm.weight", n_embd, 1, false);
    if (!spec.tied_output) add("output.weight", n_embd, vocab, true);
    return b;
}

}  // namespace prism::test
