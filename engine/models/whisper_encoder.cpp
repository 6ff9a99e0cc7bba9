// Whisper's encoder recorded into one command buffer. Activations are allocated for the longest
// input seen and reused.

#include "models/whisper_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <span>
#include <utility>

#include "models/tensor_views.hpp"
#include "prism/error.hpp"
#include "prism/ops/attention.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/conv1d.hpp"
#include "prism/ops/copy.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/pool.hpp"
#include "prism/ops/unary.hpp"

namespace prism::models {
namespace {

constexpr std::int64_t kMaxCount = 1 << 24;

[[noreturn]] void bad(const std::string& source, const std::string& why) {
    throw FormatError(source + ": Whisper encoder: " + why);
}

std::string dims(const gpu::Tensor& t) {
    return t.shape_string();
}

void expect(const std::string& source, const gpu::Tensor& t, const char* name,
            std::array<std::int64_t, 4> ne, bool f32_only, bool conv) {
    if (t.ne != ne) {
        bad(source, std::string("tensor ") + name + " is " + dims(t) + ", expected [" +
                        std::to_string(ne[0]) + ", " + std::to_string(ne[1]) + ", " +
                        std::to_string(ne[2]) + ", " + std::to_string(ne[3]) + "]");
    }
    const bool ok = f32_only ? t.type == TensorType::F32
                    : conv   ? (t.type == TensorType::F32 || t.type == TensorType::F16)
                             : tensor_type_info(t.type).computable;
    if (!ok) {
        bad(source, std::string("tensor ") + name + " has type " +
                        std::string(tensor_type_info(t.type).name) + ", expected " +
                        (f32_only ? "F32"
                         : conv   ? "F32 or F16"
                                  : "a computable type"));
    }
}

void positive(const std::string& source, std::int64_t v, const char* what) {
    if (v <= 0 || v > kMaxCount) {
        bad(source, std::string(what) + " = " + std::to_string(v) + " is outside 1.." +
                        std::to_string(kMaxCount));
    }
}

}  // namespace

void check_whisper_encoder_shape(const WhisperEncoderShape& s, const std::string& source) {
    positive(source, s.n_mels, "n_mels");
    positive(source, s.d_model, "d_model");
    positive(source, s.n_heads, "n_heads");
    positive(source, s.n_layers, "n_layers");
    positive(source, s.n_positions, "n_positions");
    if (!(std::isfinite(s.eps) && s.eps > 0.0f)) {
        bad(source, "LayerNorm epsilon " + std::to_string(s.eps) + " must be finite and > 0");
    }
    if (s.d_model % s.n_heads != 0) {
        bad(source, std::to_string(s.n_heads) + " heads do not divide d_model " +
                        std::to_string(s.d_model));
    }
    const std::int64_t hd = s.d_model / s.n_heads;
    if (hd % 8 != 0 || hd > 256) {
        bad(source, "head size " + std::to_string(hd) + " is not a multiple of 8 up to 256");
    }
}

void check_whisper_encoder(const WhisperEncoderShape& s, const WhisperEncoderWeights& w,
                           const std::string& source) {
    check_whisper_encoder_shape(s, source);
    if (static_cast<std::int64_t>(w.blocks.size()) != s.n_layers) {
        bad(source, std::to_string(w.blocks.size()) + " blocks of weights for " +
                        std::to_string(s.n_layers) + " layers");
    }
    const std::int64_t D = s.d_model;
    expect(source, w.conv1_w, "conv1.weight", {3, s.n_mels, D, 1}, false, true);
    expect(source, w.conv1_b, "conv1.bias", {D, 1, 1, 1}, true, false);
    expect(source, w.conv2_w, "conv2.weight", {3, D, D, 1}, false, true);
    expect(source, w.conv2_b, "conv2.bias", {D, 1, 1, 1}, true, false);
    expect(source, w.positions, "positions", {D, s.n_positions, 1, 1}, true, false);
    expect(source, w.ln_post_w, "ln_post.weight", {D, 1, 1, 1}, true, false);
    expect(source, w.ln_post_b, "ln_post.bias", {D, 1, 1, 1}, true, false);
    for (const auto& L : w.blocks) {
        const std::int64_t ff = L.fc1_w.ne[1];
        positive(source, ff, "fc1 width");
        expect(source, L.attn_ln_w, "attn_ln.weight", {D, 1, 1, 1}, true, false);
        expect(source, L.attn_ln_b, "attn_ln.bias", {D, 1, 1, 1}, true, false);
        expect(source, L.q_w, "q.weight", {D, D, 1, 1}, false, false);
        expect(source, L.q_b, "q.bias", {D, 1, 1, 1}, true, false);
        expect(source, L.k_w, "k.weight", {D, D, 1, 1}, false, false);
        expect(source, L.v_w, "v.weight", {D, D, 1, 1}, false, false);
        expect(source, L.v_b, "v.bias", {D, 1, 1, 1}, true, false);
        expect(source, L.out_w, "out.weight", {D, D, 1, 1}, false, false);
        expect(source, L.out_b, "out.bias", {D, 1, 1, 1}, true, false);
        expect(source, L.mlp_ln_w, "mlp_ln.weight", {D, 1, 1, 1}, true, false);
        expect(source, L.mlp_ln_b, "mlp_ln.bias", {D, 1, 1, 1}, true, false);
        expect(source, L.fc1_w, "fc1.weight", {D, ff, 1, 1}, false, false);
        expect(source, L.fc1_b, "fc1.bias", {ff, 1, 1, 1}, true, false);
        expect(source, L.fc2_w, "fc2.weight", {ff, D, 1, 1}, false, false);
        expect(source, L.fc2_b, "fc2.bias", {D, 1, 1, 1}, true, false);
    }
}

WhisperEncoder::WhisperEncoder(gpu::Context& context, WhisperEncoderShape shape,
                               WhisperEncoderWeights weights, std::string source)
    : ctx_(context), shape_(shape), weights_(std::move(weights)), source_(std::move(source)) {
    check_whisper_encoder(shape_, weights_, source_);
    for (const auto& L : weights_.blocks) n_ff_ = std::max(n_ff_, L.fc1_w.ne[1]);
}

std::int64_t WhisperEncoder::output_frames(std::int64_t mel_frames, int pool) {
    const std::int64_t conv = (mel_frames + 1) / 2;  // k 3, stride 2, pad 1
    return pool == 2 ? conv / 2 : conv;
}

void WhisperEncoder::reserve(std::int64_t mel_frames) {
    const std::int64_t D = shape_.d_model, n = output_frames(mel_frames, 1);
    const std::int64_t hd = D / shape_.n_heads;
    const std::uint64_t limit = ctx_.device().max_storage_buffer_range;
    const std::int64_t widest = std::max(D * mel_frames, n_ff_ * n);
    if (f32_bytes(widest) > limit) {
        throw Error(source_ + ": " + std::to_string(mel_frames) + " mel frames need a " +
                    std::to_string(f32_bytes(widest) >> 20) +
                    " MiB activation, more than the device's storage-buffer limit (" +
                    std::to_string(limit >> 20) + " MiB)");
    }
    if (mel_frames <= capacity_) return;
    const auto alloc = [&](std::int64_t floats) { return ctx_.allocate(f32_bytes(floats)); };
    conv_ = alloc(D * mel_frames);
    x_ = alloc(D * n);
    xn_ = alloc(D * n);
    o_ = alloc(D * n);
    q_ = alloc(D * n);
    k_ = alloc(D * n);
    v_ = alloc(D * n);
    attn_ = alloc(D * n);
    kh_ = ctx_.allocate(static_cast<std::uint64_t>(hd * shape_.n_heads * n) * 2);
    vh_ = ctx_.allocate(static_cast<std::uint64_t>(hd * shape_.n_heads * n) * 2);
    up_ = alloc(n_ff_ * n);
    pooled_ = alloc(D * std::max<std::int64_t>(1, n / 2));
    capacity_ = mel_frames;
}

void WhisperEncoder::block(gpu::Recorder& rec, const WhisperBlockWeights& L, std::int64_t n,
                           std::int64_t attended) {
    const std::int64_t D = shape_.d_model, H = shape_.n_heads, hd = D / H;
    const auto x_t = f32(x_, {D, n}), xn_t = f32(xn_, {D, n}), o_t = f32(o_, {D, n});
    const auto linear = [&](const gpu::Tensor& w, const gpu::Tensor* b, const gpu::Tensor& in,
                            const gpu::Tensor& out) {
        ops::matmul(rec, w, in, out);
        if (b != nullptr) ops::add(rec, out, *b, out);
    };
    ops::layer_norm(rec, x_t, xn_t, shape_.eps, &L.attn_ln_w, &L.attn_ln_b);
    linear(L.q_w, &L.q_b, xn_t, f32(q_, {D, n}));
    linear(L.k_w, nullptr, xn_t, f32(k_, {D, n}));
    linear(L.v_w, &L.v_b, xn_t, f32(v_, {D, n}));
    const auto kv = [&](const gpu::Buffer& buf) {
        return gpu::Tensor::contiguous(buf, TensorType::F16, {hd, H, n});
    };
    ops::copy(rec, f32(k_, {hd, H, n}), kv(kh_));
    ops::copy(rec, f32(v_, {hd, H, n}), kv(vh_));
    ops::AttentionParams params;
    params.mask = ops::AttentionMask::none;
    params.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
    // Masked keys are simply not given: the first `attended` tokens of the cache.
    ops::attention(rec, f32(q_, {hd, H, n}).permuted(0, 2, 1, 3),
                   ops::kv_cache_view(kv(kh_), attended), ops::kv_cache_view(kv(vh_), attended),
                   f32(attn_, {hd, H, n}), params);
    linear(L.out_w, &L.out_b, f32(attn_, {D, n}), o_t);
    ops::add(rec, x_t, o_t, x_t);

    ops::layer_norm(rec, x_t, xn_t, shape_.eps, &L.mlp_ln_w, &L.mlp_ln_b);
    const std::int64_t ff = L.fc1_w.ne[1];
    const auto up_t = f32(up_, {ff, n});
    linear(L.fc1_w, &L.fc1_b, xn_t, up_t);
    ops::unary(rec, ops::Activation::gelu_erf, up_t, up_t);
    linear(L.fc2_w, &L.fc2_b, up_t, o_t);
    ops::add(rec, x_t, o_t, x_t);
}

void WhisperEncoder::upload(const media::MelSpectrogram& mel) {
    if (mel.n_mel != shape_.n_mels) {
        throw Error(source_ + ": the encoder takes " + std::to_string(shape_.n_mels) +
                    " mel bins, got " + std::to_string(mel.n_mel));
    }
    if (mel.n_frames <= 0 || mel.data.size() != static_cast<std::size_t>(mel.n_mel) *
                                                    static_cast<std::size_t>(mel.n_frames)) {
        throw Error(source_ + ": no sound to encode (a mel spectrogram of " +
                    std::to_string(mel.n_frames) + " frames)");
    }
    const auto floats = static_cast<std::int64_t>(mel.data.size());
    if (floats > mel_capacity_) {
        mel_ = ctx_.allocate(f32_bytes(floats));
        mel_capacity_ = floats;
    }
    ctx_.upload(mel_.range(0, f32_bytes(floats)), std::span<const float>(mel.data));
    mel_frames_ = mel.n_frames;
}

void WhisperEncoder::check_span(const WhisperEncodeSpan& span) const {
    if (mel_frames_ == 0) throw Error(source_ + ": no mel spectrogram uploaded");
    if (span.first_frame < 0 || span.frames <= 0 || span.first_frame > mel_frames_ ||
        span.frames > mel_frames_ - span.first_frame) {
        throw Error(source_ + ": mel frames " + std::to_string(span.first_frame) + " + " +
                    std::to_string(span.frames) + " are outside the " +
                    std::to_string(mel_frames_) + " uploaded");
    }
    if (span.frames > 2 * shape_.n_positions) {
        throw Error(source_ + ": " + std::to_string(span.frames) +
                    " mel frames are more than the encoder's " +
                    std::to_string(2 * shape_.n_positions) + "; cut the sound into windows");
    }
    if (span.pool != 1 && span.pool != 2) throw Error(source_ + ": pool must be 1 or 2");
    if (output_frames(span.frames, span.pool) < 1) {
        throw Error(source_ + ": " + std::to_string(span.frames) +
                    " mel frame(s) are too few to pool");
    }
    if (span.attended < 0 || span.attended > output_frames(span.frames, 1)) {
        throw Error(source_ + ": " + std::to_string(span.attended) +
                    " attended frames are more than the span's " +
                    std::to_string(output_frames(span.frames, 1)));
    }
}

void WhisperEncoder::record(gpu::Recorder& rec, const WhisperEncodeSpan& span,
                            const gpu::Tensor& out) {
    check_span(span);
    const std::int64_t D = shape_.d_model, n = output_frames(span.frames, 1);
    const std::int64_t n_out = output_frames(span.frames, span.pool);
    if (out.type != TensorType::F32 || out.ne[0] != D || out.ne[1] != n_out || out.ne[2] != 1 ||
        out.ne[3] != 1) {
        throw Error(source_ + ": output is " + out.shape_string() + ", expected [" +
                    std::to_string(D) + ", " + std::to_string(n_out) + "] f32");
    }
    reserve(span.frames);

    // The mel is stored one row per bin ([T, n_mels]); the conv reads [n_mels, frames] through
    // a transposed view that starts at the span's first frame.
    const auto Tu = static_cast<std::uint64_t>(mel_frames_);
    gpu::Tensor mel_t = strided(mel_, {shape_.n_mels, mel_frames_, 1, 1},
                                {Tu, 1, Tu * static_cast<std::uint64_t>(shape_.n_mels),
                                 Tu * static_cast<std::uint64_t>(shape_.n_mels)});
    mel_t = narrow(mel_t, 1, span.first_frame, span.frames);

    const WhisperEncoderWeights& w = weights_;
    const auto conv_t = f32(conv_, {D, span.frames});
    const auto x_t = f32(x_, {D, n});
    ops::conv1d(rec, mel_t, w.conv1_w, &w.conv1_b, conv_t, {1, 1});
    ops::unary(rec, ops::Activation::gelu_erf, conv_t, conv_t);
    ops::conv1d(rec, conv_t, w.conv2_w, &w.conv2_b, x_t, {2, 1});
    ops::unary(rec, ops::Activation::gelu_erf, x_t, x_t);
    ops::add(rec, x_t, w.positions.rows_slice(0, n), x_t);
    const std::int64_t attended = span.attended > 0 ? span.attended : n;
    for (const auto& L : w.blocks) block(rec, L, n, attended);
    gpu::Tensor last = x_t;
    if (span.pool == 2) {
        last = f32(pooled_, {D, n_out});
        ops::avg_pool1d(rec, x_t, last, 2, 2);
    }
    ops::layer_norm(rec, last, out, shape_.eps, &w.ln_post_w, &w.ln_post_b);
}

WhisperEncoding WhisperEncoder::encode(const media::MelSpectrogram& mel, int pool) {
    upload(mel);
    const WhisperEncodeSpan span{0, mel.n_frames, 0, pool};
    check_span(span);
    const std::int64_t n_out = output_frames(mel.n_frames, pool);
    WhisperEncoding result;
    result.buffer = ctx_.allocate(f32_bytes(shape_.d_model * n_out));
    result.tensor = f32(result.buffer, {shape_.d_model, n_out});
    auto rec = ctx_.record();
    record(rec, span, result.tensor);
    ctx_.submit(rec);
    return result;
}

}  // namespace prism::models
