#include "models/whisper_encoder_weights.hpp"

#include <string>

#include "models/whisper_weights.hpp"

namespace prism::models {

WhisperEncoderShape whisper_encoder_shape(const WhisperHParams& h) {
    WhisperEncoderShape s;
    s.n_mels = h.n_mel;
    s.d_model = h.n_state;
    s.n_heads = h.n_enc_head;
    s.n_layers = h.n_enc_layer;
    s.n_positions = h.n_audio_ctx;
    s.eps = h.eps;
    return s;
}

WhisperEncoderWeights load_whisper_encoder_weights(gpu::Context& context, const gguf::File& file,
                                                   const WhisperHParams& h) {
    WhisperEncoderWeights w;
    WhisperTensorLoader l(file);
    const std::int64_t D = h.n_state, F = h.n_ff;
    l.conv(w.conv1_w, "a.conv1d.1.weight", {3, h.n_mel, D, 1});
    l.f32(w.conv1_b, "a.conv1d.1.bias", {D, 1, 1, 1});
    l.conv(w.conv2_w, "a.conv1d.2.weight", {3, D, D, 1});
    l.f32(w.conv2_b, "a.conv1d.2.bias", {D, 1, 1, 1});
    l.f32(w.positions, "a.position_embd.weight", {D, h.n_audio_ctx, 1, 1});
    w.blocks.resize(static_cast<std::size_t>(h.n_enc_layer));
    for (std::int64_t il = 0; il < h.n_enc_layer; ++il) {
        auto& B = w.blocks[static_cast<std::size_t>(il)];
        const std::string p = "a.blk." + std::to_string(il) + ".";
        l.f32(B.attn_ln_w, p + "ln1.weight", {D, 1, 1, 1});
        l.f32(B.attn_ln_b, p + "ln1.bias", {D, 1, 1, 1});
        l.matrix(B.q_w, p + "attn_q.weight", D, D);
        l.f32(B.q_b, p + "attn_q.bias", {D, 1, 1, 1});
        l.matrix(B.k_w, p + "attn_k.weight", D, D);
        l.matrix(B.v_w, p + "attn_v.weight", D, D);
        l.f32(B.v_b, p + "attn_v.bias", {D, 1, 1, 1});
        l.matrix(B.out_w, p + "attn_out.weight", D, D);
        l.f32(B.out_b, p + "attn_out.bias", {D, 1, 1, 1});
        l.f32(B.mlp_ln_w, p + "ln2.weight", {D, 1, 1, 1});
        l.f32(B.mlp_ln_b, p + "ln2.bias", {D, 1, 1, 1});
        l.matrix(B.fc1_w, p + "ffn_up.weight", D, F);
        l.f32(B.fc1_b, p + "ffn_up.bias", {F, 1, 1, 1});
        l.matrix(B.fc2_w, p + "ffn_down.weight", F, D);
        l.f32(B.fc2_b, p + "ffn_down.bias", {D, 1, 1, 1});
    }
    l.f32(w.ln_post_w, "a.post_ln.weight", {D, 1, 1, 1});
    l.f32(w.ln_post_b, "a.post_ln.bias", {D, 1, 1, 1});
    w.buffers = l.upload(context, w.bytes);
    return w;
}

}  // namespace prism::models
