#include "models/audio_weights.hpp"

#include <string>

#include "prism/error.hpp"

namespace prism::models {

WhisperEncoderShape whisper_shape(const AudioHParams& h) {
    WhisperEncoderShape s;
    s.n_mels = h.n_mels;
    s.d_model = h.n_embd;
    s.n_heads = h.n_head;
    s.n_layers = h.n_layer;
    s.n_positions = h.n_positions;
    s.eps = h.eps;
    return s;
}

WhisperEncoderShape read_whisper_shape(const gguf::File& file) {
    WhisperEncoderShape s = whisper_shape(read_audio_hparams(file));
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

void plan_audio_projector(WeightLoader& l, AudioProjectorWeights& w, const AudioHParams& h) {
    const std::int64_t D = h.n_embd, out = h.output_dim;
    switch (projector_traits(h.projector).audio.head) {
        case AudioHead::stack_swiglu: {
            const std::int64_t in = D * h.stack_factor, hidden = l.dim("mm.a.mlp.1.weight", 1);
            if (hidden % 2 != 0) {
                l.fail("tensor 'mm.a.mlp.1.weight' has an odd width " + std::to_string(hidden) +
                       "; SwiGLU takes two halves");
            }
            l.add(w.norm_pre.emplace(), "mm.a.norm_pre.weight", {in, 1, 1, 1}, WeightKind::f32);
            l.add(w.mlp1.emplace(), "mm.a.mlp.1.weight", {in, hidden, 1, 1}, WeightKind::matrix);
            l.add(w.norm_mid.emplace(), "mm.a.norm_mid.weight", {hidden / 2, 1, 1, 1},
                  WeightKind::f32);
            l.add(w.mlp2.emplace(), "mm.a.mlp.2.weight", {hidden / 2, out, 1, 1},
                  WeightKind::matrix);
            return;
        }
        case AudioHead::stack_gelu_mlp: {
            const std::int64_t in = D * h.stack_factor, hidden = l.dim("mm.a.mlp.1.weight", 1);
            l.add(w.mlp1.emplace(), "mm.a.mlp.1.weight", {in, hidden, 1, 1}, WeightKind::matrix);
            l.add(w.mlp2.emplace(), "mm.a.mlp.2.weight", {hidden, out, 1, 1}, WeightKind::matrix);
            return;
        }
        case AudioHead::linear:
            l.add(w.fc_w.emplace(), "mm.a.fc.weight", {D, out, 1, 1}, WeightKind::matrix);
            l.add(w.fc_b.emplace(), "mm.a.fc.bias", {out, 1, 1, 1}, WeightKind::f32);
            return;
        case AudioHead::none:
            break;
    }
    throw Error("audio projector row without a head");
}

}  // namespace prism::models
