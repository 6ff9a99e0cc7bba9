#include "models/whisper_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "models/tensor_views.hpp"
#include "prism/error.hpp"
#include "prism/ops/attention.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/copy.hpp"
#include "prism/ops/get_rows.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/unary.hpp"

namespace prism::models {
namespace {

// Tokens [p0, p0 + n) of a token-major f16 cache [head_dim, n_head, n_ctx], as the
// [head_dim, n_head, n] destination of a copy.
gpu::Tensor cache_rows(const gpu::Tensor& cache, std::int64_t p0, std::int64_t n) {
    gpu::Tensor t = cache;
    const std::uint64_t token_bytes = cache.nb[2];
    t.memory = cache.memory.sub(token_bytes * static_cast<std::uint64_t>(p0),
                                token_bytes * static_cast<std::uint64_t>(n));
    t.ne = {cache.ne[0], cache.ne[1], n, 1};
    t.nb[3] = token_bytes * static_cast<std::uint64_t>(n);
    return t;
}

void linear(gpu::Recorder& rec, const WhisperLinear& l, const gpu::Tensor& x,
            const gpu::Tensor& out) {
    ops::matmul(rec, l.weight, x, out);
    if (l.has_bias()) ops::add(rec, out, l.bias, out);
}

}  // namespace

WhisperDecoder::WhisperDecoder(gpu::Context& context, const gguf::File& file,
                               const WhisperHParams& h)
    : ctx_(context), h_(h), w_(load_whisper_decoder_weights(context, file, h)) {
    const std::int64_t D = h_.n_state, T = h_.n_text_ctx, A = h_.n_audio_ctx;
    const auto self_bytes = static_cast<std::uint64_t>(D * T) * 2;
    const auto cross_bytes = static_cast<std::uint64_t>(D * A) * 2;
    for (std::int64_t il = 0; il < h_.n_dec_layer; ++il) {
        for (auto* list : {&self_k_, &self_v_}) {
            cache_buffers_.push_back(ctx_.allocate(self_bytes));
            list->push_back(gpu::Tensor::contiguous(cache_buffers_.back(), TensorType::F16,
                                                    {h_.head_dim, h_.n_head, T}));
        }
        for (auto* list : {&cross_k_, &cross_v_}) {
            cache_buffers_.push_back(ctx_.allocate(cross_bytes));
            list->push_back(gpu::Tensor::contiguous(cache_buffers_.back(), TensorType::F16,
                                                    {h_.head_dim, h_.n_head, A}));
        }
    }
    ids_ = ctx_.allocate(4 * static_cast<std::uint64_t>(T));
    for (gpu::Buffer* b : {&x_, &xn_, &q_, &k_, &v_, &attn_, &o_})
        *b = ctx_.allocate(f32_bytes(D * T));
    up_ = ctx_.allocate(f32_bytes(h_.n_ff * T));
    logits_ = ctx_.allocate(f32_bytes(h_.n_vocab));
    cross_kv_ = ctx_.allocate(f32_bytes(D * A));
    ops::AttentionParams causal;
    causal.mask = ops::AttentionMask::causal;
    causal.q_pos0 = T - 1;
    const std::uint64_t scratch_bytes =
        std::max(ops::attention_scratch_bytes(ctx_.device(), h_.head_dim, h_.n_head, 1, T, causal),
                 ops::attention_scratch_bytes(ctx_.device(), h_.head_dim, h_.n_head, 1, A, {}));
    if (scratch_bytes > 0) scratch_ = ctx_.allocate(scratch_bytes);
    logits_host_.resize(static_cast<std::size_t>(h_.n_vocab));
}

void WhisperDecoder::set_audio(gpu::Recorder& rec, const gpu::Tensor& encoded) {
    const std::int64_t D = h_.n_state, A = h_.n_audio_ctx;
    if (encoded.type != TensorType::F32 || encoded.ne[0] != D || encoded.ne[1] != A ||
        !encoded.is_contiguous()) {
        throw Error("Whisper decoder: the audio must be f32 [" + std::to_string(D) + ", " +
                    std::to_string(A) + "], got " + encoded.shape_string());
    }
    const auto kv = f32(cross_kv_, {D, A});
    const auto kv3 = f32(cross_kv_, {h_.head_dim, h_.n_head, A});
    for (std::size_t il = 0; il < w_.layers.size(); ++il) {
        const auto& L = w_.layers[il];
        linear(rec, L.cross_k, encoded, kv);
        ops::copy(rec, kv3, cross_k_[il]);
        linear(rec, L.cross_v, encoded, kv);
        ops::copy(rec, kv3, cross_v_[il]);
    }
    n_past_ = 0;
}

void WhisperDecoder::truncate(std::int64_t n) {
    n_past_ = std::clamp<std::int64_t>(n, 0, n_past_);
}

const std::vector<float>& WhisperDecoder::forward(std::span<const std::int32_t> tokens) {
    const auto n = static_cast<std::int64_t>(tokens.size());
    const std::int64_t D = h_.n_state, p0 = n_past_;
    if (n < 1 || p0 + n > h_.n_text_ctx) {
        throw Error("Whisper decoder: " + std::to_string(p0 + n) +
                    " tokens do not fit its text context of " + std::to_string(h_.n_text_ctx));
    }
    std::vector<std::int32_t> ids(tokens.begin(), tokens.end());
    for (auto& id : ids) {
        if (id < 0 || id >= h_.n_vocab)
            throw Error("Whisper decoder: token id outside the vocabulary");
    }
    const auto id_bytes = static_cast<std::uint64_t>(n) * 4;
    ctx_.upload(ids_.range(0, id_bytes), std::span<const std::int32_t>(ids));
    const auto ids_t = gpu::Tensor::contiguous(ids_.range(0, id_bytes), TensorType::I32, {n});
    const auto x = f32(x_, {D, n}), xn = f32(xn_, {D, n}), o = f32(o_, {D, n});
    const auto q = f32(q_, {D, n}), k = f32(k_, {D, n}), v = f32(v_, {D, n});
    const auto q_heads = f32(q_, {h_.head_dim, h_.n_head, n}).permuted(0, 2, 1, 3);
    const auto k3 = f32(k_, {h_.head_dim, h_.n_head, n});
    const auto v3 = f32(v_, {h_.head_dim, h_.n_head, n});
    const auto attn3 = f32(attn_, {h_.head_dim, h_.n_head, n}), attn = f32(attn_, {D, n});
    const auto up = f32(up_, {h_.n_ff, n});
    const std::optional<gpu::Tensor> scratch =
        scratch_ ? std::optional(f32(scratch_, {static_cast<std::int64_t>(scratch_.size() / 4)}))
                 : std::nullopt;
    const gpu::Tensor* scratch_ptr = scratch ? &*scratch : nullptr;
    ops::AttentionParams self_params;
    self_params.mask = ops::AttentionMask::causal;
    self_params.q_pos0 = p0;
    ops::AttentionParams cross_params;
    const auto A = h_.n_audio_ctx;

    auto rec = ctx_.record();
    ops::get_rows(rec, w_.token_embd, ids_t, x);
    ops::add(rec, x, columns(w_.position, p0, n), x);
    for (std::size_t il = 0; il < w_.layers.size(); ++il) {
        const auto& L = w_.layers[il];
        ops::layer_norm(rec, x, xn, h_.eps, &L.attn_ln.weight, &L.attn_ln.bias);
        linear(rec, L.attn_q, xn, q);
        linear(rec, L.attn_k, xn, k);
        linear(rec, L.attn_v, xn, v);
        ops::copy(rec, k3, cache_rows(self_k_[il], p0, n));
        ops::copy(rec, v3, cache_rows(self_v_[il], p0, n));
        ops::attention(rec, q_heads, ops::kv_cache_view(self_k_[il], p0 + n),
                       ops::kv_cache_view(self_v_[il], p0 + n), attn3, self_params, scratch_ptr);
        linear(rec, L.attn_out, attn, o);
        ops::add(rec, x, o, x);

        ops::layer_norm(rec, x, xn, h_.eps, &L.cross_ln.weight, &L.cross_ln.bias);
        linear(rec, L.cross_q, xn, q);
        ops::attention(rec, q_heads, ops::kv_cache_view(cross_k_[il], A),
                       ops::kv_cache_view(cross_v_[il], A), attn3, cross_params, scratch_ptr);
        linear(rec, L.cross_out, attn, o);
        ops::add(rec, x, o, x);

        ops::layer_norm(rec, x, xn, h_.eps, &L.ffn_ln.weight, &L.ffn_ln.bias);
        linear(rec, L.ffn_up, xn, up);
        ops::unary(rec, ops::Activation::gelu_erf, up, up);
        linear(rec, L.ffn_down, up, o);
        ops::add(rec, x, o, x);
    }
    const auto last = columns(x_, D, n - 1, 1), last_n = columns(xn_, D, n - 1, 1);
    ops::layer_norm(rec, last, last_n, h_.eps, &w_.post_ln.weight, &w_.post_ln.bias);
    const auto logits = f32(logits_, {h_.n_vocab, 1});
    ops::matmul(rec, w_.token_embd, last_n, logits);
    ctx_.submit(rec);
    n_past_ = p0 + n;
    ctx_.download(logits_.range(), std::as_writable_bytes(std::span(logits_host_)));
    return logits_host_;
}

}  // namespace prism::models
