#include "models/whisper_weights.hpp"

#include <string>

namespace prism::models {

void WhisperTensorLoader::matrix(gpu::Tensor& target, const std::string& name, std::int64_t in,
                                 std::int64_t out) {
    loader_.add(target, name, {in, out, 1, 1}, WeightKind::matrix);
}

void WhisperTensorLoader::f32(gpu::Tensor& target, const std::string& name, WeightShape shape) {
    loader_.add(target, name, shape, WeightKind::f32);
}

void WhisperTensorLoader::conv(gpu::Tensor& target, const std::string& name, WeightShape shape) {
    loader_.add(target, name, shape, WeightKind::conv);
}

void WhisperTensorLoader::linear(WhisperLinear& target, const std::string& name, std::int64_t in,
                                 std::int64_t out, bool bias) {
    matrix(target.weight, name + ".weight", in, out);
    if (bias) f32(target.bias, name + ".bias", {out, 1, 1, 1});
}

void WhisperTensorLoader::norm(WhisperNorm& target, const std::string& name, std::int64_t n) {
    f32(target.weight, name + ".weight", {n, 1, 1, 1});
    f32(target.bias, name + ".bias", {n, 1, 1, 1});
}

WhisperDecoderWeights load_whisper_decoder_weights(gpu::Context& context, const gguf::File& file,
                                                   const WhisperHParams& h) {
    WhisperDecoderWeights w;
    WhisperTensorLoader l(file);
    const std::int64_t D = h.n_state, F = h.n_ff;
    l.matrix(w.token_embd, "dec.token_embd.weight", D, h.n_vocab);
    l.f32(w.position, "dec.position_embd.weight", {D, h.n_text_ctx, 1, 1});
    w.layers.resize(static_cast<std::size_t>(h.n_dec_layer));
    for (std::int64_t il = 0; il < h.n_dec_layer; ++il) {
        auto& L = w.layers[static_cast<std::size_t>(il)];
        const std::string p = "dec.blk." + std::to_string(il) + ".";
        l.norm(L.attn_ln, p + "attn_ln", D);
        l.linear(L.attn_q, p + "attn_q", D, D);
        l.linear(L.attn_k, p + "attn_k", D, D, false);
        l.linear(L.attn_v, p + "attn_v", D, D);
        l.linear(L.attn_out, p + "attn_out", D, D);
        l.norm(L.cross_ln, p + "cross_ln", D);
        l.linear(L.cross_q, p + "cross_q", D, D);
        l.linear(L.cross_k, p + "cross_k", D, D, false);
        l.linear(L.cross_v, p + "cross_v", D, D);
        l.linear(L.cross_out, p + "cross_out", D, D);
        l.norm(L.ffn_ln, p + "ffn_ln", D);
        l.linear(L.ffn_up, p + "ffn_up", D, F);
        l.linear(L.ffn_down, p + "ffn_down", F, D);
    }
    l.norm(w.post_ln, "dec.post_ln", D);
    w.buffers = l.upload(context, w.bytes);
    return w;
}

}  // namespace prism::models
