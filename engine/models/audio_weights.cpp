#include "models/audio_weights.hpp"

#include <string>

#include "models/hparams_check.hpp"
#include "prism/error.hpp"

namespace prism::models {
namespace {

std::int64_t required_count(const gguf::File& file, const std::string& key) {
    if (file.find(key) == nullptr) {
        throw FormatError(file.name() + ": mmproj key '" + key + "' is missing");
    }
    const auto v = file.get_integer<std::int64_t>(key);
    require_positive(file, key, v);
    return v;
}

}  // namespace

WhisperEncoderShape read_whisper_shape(const gguf::File& file) {
    const std::string p = "clip.audio.";
    WhisperEncoderShape s;
    s.n_mels = required_count(file, p + "num_mel_bins");
    s.d_model = required_count(file, p + "embedding_length");
    s.n_heads = required_count(file, p + "attention.head_count");
    s.n_layers = required_count(file, p + "block_count");
    const std::string eps_key = p + "attention.layer_norm_epsilon";
    if (file.find(eps_key) == nullptr) {
        throw FormatError(file.name() + ": mmproj key '" + eps_key + "' is missing");
    }
    s.eps = file.get<float>(eps_key);
    const gguf::TensorInfo* pos = file.find_tensor("a.position_embd.weight");
    if (pos == nullptr) {
        throw FormatError(file.name() + ": tensor 'a.position_embd.weight' is missing");
    }
    s.n_positions = static_cast<std::int64_t>(pos->ne[1]);
    check_whisper_encoder_shape(s, file.name());
    return s;
}

void plan_whisper_weights(WeightLoader& l, WhisperEncoderWeights& w, const WhisperEncoderShape& s,
                          const gguf::File& file) {
    const std::int64_t D = s.d_model;
    l.add(w.conv1_w, "a.conv1d.1.weight", {3, s.n_mels, D, 1}, WeightKind::conv);
    l.add(w.conv1_b, "a.conv1d.1.bias", {1, D, 1, 1}, WeightKind::f32);
    l.add(w.conv2_w, "a.conv1d.2.weight", {3, D, D, 1}, WeightKind::conv);
    l.add(w.conv2_b, "a.conv1d.2.bias", {1, D, 1, 1}, WeightKind::f32);
    l.add(w.positions, "a.position_embd.weight", {D, s.n_positions, 1, 1}, WeightKind::f32);
    // A hostile block_count must not size anything before the file shows it has the blocks.
    const std::string last = "a.blk." + std::to_string(s.n_layers - 1) + ".ln1.weight";
    if (!l.has(last)) {
        throw FormatError(file.name() + ": tensor '" + last +
                          "' is missing (clip.audio.block_count says " +
                          std::to_string(s.n_layers) + " blocks)");
    }
    w.blocks.resize(static_cast<std::size_t>(s.n_layers));
    for (std::int64_t il = 0; il < s.n_layers; ++il) {
        WhisperBlockWeights& L = w.blocks[static_cast<std::size_t>(il)];
        const std::string p = "a.blk." + std::to_string(il) + ".";
        const std::int64_t ff = l.dim(p + "ffn_up.weight", 1);
        l.add(L.attn_ln_w, p + "ln1.weight", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.attn_ln_b, p + "ln1.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.q_w, p + "attn_q.weight", {D, D, 1, 1}, WeightKind::matrix);
        l.add(L.q_b, p + "attn_q.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.k_w, p + "attn_k.weight", {D, D, 1, 1}, WeightKind::matrix);
        l.add(L.v_w, p + "attn_v.weight", {D, D, 1, 1}, WeightKind::matrix);
        l.add(L.v_b, p + "attn_v.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.out_w, p + "attn_out.weight", {D, D, 1, 1}, WeightKind::matrix);
        l.add(L.out_b, p + "attn_out.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.mlp_ln_w, p + "ln2.weight", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.mlp_ln_b, p + "ln2.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.fc1_w, p + "ffn_up.weight", {D, ff, 1, 1}, WeightKind::matrix);
        l.add(L.fc1_b, p + "ffn_up.bias", {ff, 1, 1, 1}, WeightKind::f32);
        l.add(L.fc2_w, p + "ffn_down.weight", {ff, D, 1, 1}, WeightKind::matrix);
        l.add(L.fc2_b, p + "ffn_down.bias", {D, 1, 1, 1}, WeightKind::f32);
    }
    l.add(w.ln_post_w, "a.post_ln.weight", {D, 1, 1, 1}, WeightKind::f32);
    l.add(w.ln_post_b, "a.post_ln.bias", {D, 1, 1, 1}, WeightKind::f32);
}

void finish_whisper_weights(WhisperEncoderWeights& w) {
    for (gpu::Tensor* b : {&w.conv1_b, &w.conv2_b}) {
        *b = gpu::Tensor::contiguous(b->memory, TensorType::F32, {b->ne[1]});
    }
}

}  // namespace prism::models
