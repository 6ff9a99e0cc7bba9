#include "models/vision_files.hpp"

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace prism::test {
namespace {

class Writer {
  public:
    Writer(GgufBuilder& b, const TinyMmprojSpec& spec) : b_(b), spec_(spec) {}

    // Random values of order `scale` around `center`.
    void add(const std::string& name, std::vector<std::uint64_t> ne, float scale = 0.2f,
             float center = 0.0f) {
        if (name == spec_.omit) return;
        if (name == spec_.wrong_shape && ne.size() >= 2) std::swap(ne[0], ne[1]);
        std::uint64_t count = 1;
        for (auto d : ne) count *= d;
        std::uniform_real_distribution<float> dist(center - scale, center + scale);
        std::vector<float> values(count);
        for (float& v : values) v = dist(rng_);
        b_.tensor_f32(name, std::move(ne), values);
    }

  private:
    GgufBuilder& b_;
    const TinyMmprojSpec& spec_;
    std::mt19937 rng_{1234};
};

}  // namespace

GgufBuilder tiny_mmproj(const TinyMmprojSpec& spec) {
    const bool gemma = spec.projector == "gemma3", mlp = spec.projector == "mlp";
    const bool qwen25 = spec.projector == "qwen2.5vl_merger" || spec.projector == "qwen2.5o";
    const bool qwen = qwen25 || spec.projector == "qwen2vl_merger";
    const std::uint64_t D = gemma ? 24 : 32, heads = gemma || qwen ? 2 : 4;
    const std::uint64_t ff = 48, patch = (gemma || qwen || mlp) ? 4 : 8;
    const std::uint64_t image = mlp ? 16 : 32, out = spec.projector == "idefics3" ? 48 : 40;
    const std::uint64_t layers = mlp ? 3 : 2;

    GgufBuilder b;
    b.set("general.architecture", "clip")
        .set("general.type", "mmproj")
        .set("clip.projector_type", spec.projector.c_str())
        .set<bool>("clip.has_vision_encoder", spec.vision)
        .set<std::uint32_t>("clip.vision.image_size", static_cast<std::uint32_t>(image))
        .set<std::uint32_t>("clip.vision.patch_size", static_cast<std::uint32_t>(patch))
        .set<std::uint32_t>("clip.vision.embedding_length", static_cast<std::uint32_t>(D))
        .set<std::uint32_t>("clip.vision.feed_forward_length", static_cast<std::uint32_t>(ff))
        .set<std::uint32_t>("clip.vision.block_count", static_cast<std::uint32_t>(layers))
        .set<std::uint32_t>("clip.vision.attention.head_count", static_cast<std::uint32_t>(heads))
        .set<float>("clip.vision.attention.layer_norm_epsilon", 1e-6f)
        .set<std::uint32_t>("clip.vision.projection_dim", static_cast<std::uint32_t>(out))
        .set_array<float>("clip.vision.image_mean", {0.5f, 0.5f, 0.5f})
        .set_array<float>("clip.vision.image_std", {0.5f, 0.5f, 0.5f});
    if (gemma || spec.projector == "idefics3") b.set<bool>("clip.use_gelu", true);
    if (qwen25) b.set<bool>("clip.use_silu", true);
    if (spec.projector == "idefics3") {
        b.set<std::uint32_t>("clip.vision.projector.scale_factor", 2);
    }
    if (gemma) b.set<std::uint32_t>("clip.vision.projector.scale_factor", 4);
    if (qwen25) {
        b.set<std::uint32_t>("clip.vision.n_wa_pattern", 2)
            .set<std::uint32_t>("clip.vision.window_size", 16);
    }

    Writer w(b, spec);
    w.add("v.patch_embd.weight", {patch, patch, 3, D});
    if (qwen) {
        w.add("v.patch_embd.weight.1", {patch, patch, 3, D});
    } else {
        w.add("v.patch_embd.bias", {D});
        const std::uint64_t side = image / patch;
        w.add("v.position_embd.weight", {D, side * side + (mlp ? 1 : 0)});
    }
    if (mlp) {
        w.add("v.class_embd", {D});
        w.add("v.pre_ln.weight", {D}, 0.1f, 1.0f);
        w.add("v.pre_ln.bias", {D});
    } else {
        w.add("v.post_ln.weight", {D}, 0.1f, 1.0f);
        if (!qwen25) w.add("v.post_ln.bias", {D});
    }
    for (std::uint64_t il = 0; il < layers; ++il) {
        const std::string p = "v.blk." + std::to_string(il) + ".";
        for (const char* norm : {"ln1", "ln2"}) {
            w.add(p + norm + ".weight", {D}, 0.1f, 1.0f);
            if (!qwen25) w.add(p + norm + ".bias", {D});
        }
        for (const char* proj : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            w.add(p + proj + ".weight", {D, D});
            w.add(p + proj + ".bias", {D});
        }
        w.add(p + "ffn_up.weight", {D, ff});
        w.add(p + "ffn_up.bias", {ff});
        if (qwen25) {
            w.add(p + "ffn_gate.weight", {D, ff});
            w.add(p + "ffn_gate.bias", {ff});
        }
        w.add(p + "ffn_down.weight", {ff, D});
        w.add(p + "ffn_down.bias", {D});
    }
    if (gemma) {
        w.add("mm.soft_emb_norm.weight", {D}, 0.1f, 1.0f);
        w.add("mm.input_projection.weight", {out, D});
    } else if (qwen || mlp) {
        const std::uint64_t in = qwen ? 4 * D : D, hidden = qwen ? 4 * D : 64;
        w.add("mm.0.weight", {in, hidden});
        w.add("mm.0.bias", {hidden});
        w.add("mm.2.weight", {hidden, out});
        w.add("mm.2.bias", {out});
    } else {
        w.add("mm.model.fc.weight", {4 * D, out});
    }
    return b;
}

}  // namespace prism::test
