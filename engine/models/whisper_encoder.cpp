// Whisper's encoder recorded into one command buffer. Activations are allocated for the longest
// input seen and reused.

#include "models/whisper_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "models/tensor_views.hpp"
#include "prism/error.hpp"
#include "prism/ops/attention.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/conv1d.hpp"
#include "prism/ops/copy.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/pool.hpp"
#include "prism/ops/softmax.hpp"
#include "prism/ops/unary.hpp"

namespace prism::models {
namespace {

constexpr std::int64_t kMaxCount = 1 << 24;

// Keys of attention_by_products and rows of conv_by_product's columns are padded to the
// matrix-product kernel's depth step.
constexpr std::int64_t kDepthAlign = 32;

std::int64_t padded(std::int64_t n) {
    return (n + kDepthAlign - 1) / kDepthAlign * kDepthAlign;
}

constexpr std::int64_t kConvTaps = 3;  // Whisper's convolutions: kernel 3, padding 1

void fill_zeros(gpu::Context& ctx, const gpu::Buffer& buffer) {
    ctx.upload(buffer.range(), std::vector<std::byte>(buffer.size(), std::byte{0}));
}

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
    // PRISM_ENCODER_PRODUCTS=1|0 overrides the choice by device, so that one build compares
    // both ways (prism-bench) and tests run both on lavapipe.
    const char* forced = std::getenv("PRISM_ENCODER_PRODUCTS");
    const std::string_view want = forced == nullptr ? std::string_view() : forced;
    if (!want.empty() && want != "0" && want != "1")
        throw Error("PRISM_ENCODER_PRODUCTS=" + std::string(want) + ": expected 0 or 1");
    products_ = want.empty() ? ctx_.device().kind == gpu::DeviceKind::cpu : want == "1";
    if (products_) prepare_products();
}

void WhisperEncoder::prepare_products() {
    const std::int64_t D = shape_.d_model;
    const gpu::Tensor* weights[2] = {&weights_.conv1_w, &weights_.conv2_w};
    auto rec = ctx_.record();
    for (int i = 0; i < 2; ++i) {
        const gpu::Tensor& w = *weights[i];
        const std::int64_t rows = w.ne[0] * w.ne[1], rows_pad = padded(rows);
        const std::uint64_t bytes =
            static_cast<std::uint64_t>(rows_pad * D) * (w.type == TensorType::F16 ? 2 : 4);
        conv_weight_buffers_[i] = ctx_.allocate(bytes);
        fill_zeros(ctx_, conv_weight_buffers_[i]);
        conv_weights_[i] = gpu::Tensor::contiguous(conv_weight_buffers_[i], w.type, {rows_pad, D});
        ops::copy(rec, w, narrow(conv_weights_[i], 0, 0, rows));
    }
    ctx_.submit(rec);
    const std::int64_t widest = std::max(shape_.n_mels, D);
    zeros_ = ctx_.allocate(f32_bytes(widest));
    fill_zeros(ctx_, zeros_);
}

std::int64_t WhisperEncoder::output_frames(std::int64_t mel_frames, int pool, std::int64_t chunk) {
    const auto conv_frames = [](std::int64_t m) { return (m + 1) / 2; };  // k 3, stride 2, pad 1
    std::int64_t conv = conv_frames(mel_frames);
    if (chunk > 0 && mel_frames > chunk) {
        conv = mel_frames / chunk * conv_frames(chunk) + conv_frames(mel_frames % chunk);
    }
    return pool == 2 ? conv / 2 : conv;
}

std::vector<WhisperEncoder::Stretch> WhisperEncoder::stretches(const WhisperEncodeSpan& span) {
    const std::int64_t chunk = span.chunk > 0 ? span.chunk : span.frames;
    std::vector<Stretch> parts;
    std::int64_t first = 0;
    for (std::int64_t at = 0; at < span.frames; at += chunk) {
        Stretch p;
        p.mel_first = at;
        p.mel_count = std::min(chunk, span.frames - at);
        p.first = first;
        p.count = output_frames(p.mel_count, 1);
        p.attended = span.attended > 0 ? span.attended : p.count;
        first += p.count;
        parts.push_back(p);
    }
    return parts;
}

void WhisperEncoder::reserve(std::int64_t mel_frames, std::span<const Stretch> parts) {
    // Encoder frames of the span: odd stretches each round up, so this may exceed
    // output_frames(mel_frames, 1).
    const std::int64_t D = shape_.d_model, n = parts.back().first + parts.back().count;
    const std::int64_t hd = D / shape_.n_heads;
    const std::uint64_t limit = ctx_.device().max_storage_buffer_range;
    const std::int64_t keys = padded(n);
    const std::int64_t conv_rows = padded(kConvTaps * std::max(shape_.n_mels, D));
    const std::int64_t widest = std::max(
        {D * mel_frames, n_ff_ * n, products_ ? std::max(keys * n, conv_rows * mel_frames) : 0});
    if (f32_bytes(widest) > limit) {
        throw Error(source_ + ": " + std::to_string(mel_frames) + " mel frames need a " +
                    std::to_string(f32_bytes(widest) >> 20) +
                    " MiB activation, more than the device's storage-buffer limit (" +
                    std::to_string(limit >> 20) + " MiB)");
    }
    std::int64_t kv_rows = n;
    if (products_) {
        std::int64_t longest = 0;
        for (const Stretch& p : parts) longest = std::max(longest, p.count);
        kv_rows = padded(longest) * static_cast<std::int64_t>(parts.size());
    }
    if (mel_frames <= capacity_ && n <= frames_capacity_ && kv_rows <= kv_capacity_) return;
    mel_frames = std::max(mel_frames, capacity_);
    const std::int64_t most = std::max(n, frames_capacity_);
    kv_rows = std::max(kv_rows, kv_capacity_);
    const auto alloc = [&](std::int64_t floats) { return ctx_.allocate(f32_bytes(floats)); };
    conv_ = alloc(D * mel_frames);
    x_ = alloc(D * most);
    xn_ = alloc(D * most);
    o_ = alloc(D * most);
    q_ = alloc(D * most);
    k_ = alloc(D * most);
    v_ = alloc(D * most);
    attn_ = alloc(D * most);
    const auto kv_bytes = static_cast<std::uint64_t>(hd * shape_.n_heads * kv_rows) * 2;
    kh_ = ctx_.allocate(kv_bytes);
    vh_ = ctx_.allocate(kv_bytes);
    if (products_) {
        scores_ = alloc(padded(most) * most);
        // Rows past k + 3 c meet zero weights, but must be finite: zeros at first.
        columns_ = alloc(conv_rows * mel_frames);
        fill_zeros(ctx_, columns_);
        // The padding keys' values are read (with probability 0): they must be finite.
        fill_zeros(ctx_, vh_);
    }
    up_ = alloc(n_ff_ * most);
    pooled_ = alloc(D * std::max<std::int64_t>(1, most / 2));
    capacity_ = mel_frames;
    frames_capacity_ = most;
    kv_capacity_ = kv_rows;
}

void WhisperEncoder::block(gpu::Recorder& rec, const WhisperBlockWeights& L, std::int64_t n,
                           std::span<const Stretch> parts) {
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
    if (products_) {
        attention_by_products(rec, n, parts);
    } else {
        const auto kv = [&](const gpu::Buffer& buf, std::int64_t first, std::int64_t count) {
            return gpu::Tensor::contiguous(buf, TensorType::F16, {hd, H, count},
                                           static_cast<std::uint64_t>(first * hd * H) * 2);
        };
        ops::copy(rec, f32(k_, {hd, H, n}), kv(kh_, 0, n));
        ops::copy(rec, f32(v_, {hd, H, n}), kv(vh_, 0, n));
        ops::AttentionParams params;
        params.mask = ops::AttentionMask::none;
        params.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
        // Per stretch, its frames against its keys; masked keys are simply not given (the
        // first `attended` of the stretch).
        for (const Stretch& p : parts) {
            ops::attention(rec,
                           narrow(f32(q_, {hd, H, n}), 2, p.first, p.count).permuted(0, 2, 1, 3),
                           ops::kv_cache_view(kv(kh_, p.first, p.count), p.attended),
                           ops::kv_cache_view(kv(vh_, p.first, p.count), p.attended),
                           narrow(f32(attn_, {hd, H, n}), 2, p.first, p.count), params);
        }
    }
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

// Per stretch and head h: S = K_h^T Q_h (keys x frames), softmax over the first `attended`
// keys of each frame's column (zeros below, so that the padded keys add nothing), O_h = V_h S.
// K and V are rounded to f16 as the fused kernel's cache holds them; per stretch and head, K
// is stored [hd, keys] and V transposed [keys, hd], the layouts the product's weight operand
// reads, with every stretch's keys padded to the longest's.
void WhisperEncoder::attention_by_products(gpu::Recorder& rec, std::int64_t n,
                                           std::span<const Stretch> parts) {
    const std::int64_t D = shape_.d_model, H = shape_.n_heads, hd = D / H;
    std::int64_t longest = 0;
    for (const Stretch& p : parts) longest = std::max(longest, p.count);
    const std::int64_t keys = padded(longest);
    const auto S = static_cast<std::int64_t>(parts.size());
    const auto k_all = gpu::Tensor::contiguous(kh_, TensorType::F16, {hd, keys, H, S});
    const auto v_all = gpu::Tensor::contiguous(vh_, TensorType::F16, {keys, hd, H, S});
    const auto q_heads = f32(q_, {hd, H, n}).permuted(0, 2, 1, 3);     // [hd, n, H]
    const auto o_heads = f32(attn_, {hd, H, n}).permuted(0, 2, 1, 3);  // [hd, n, H]
    const auto scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
    const std::uint64_t head_bytes = static_cast<std::uint64_t>(hd * keys) * 2;
    for (std::int64_t s = 0; s < S; ++s) {
        const Stretch& p = parts[static_cast<std::size_t>(s)];
        ops::copy(rec, narrow(f32(k_, {hd, H, n}), 2, p.first, p.count).permuted(0, 2, 1, 3),
                  narrow(narrow(k_all, 3, s, 1), 1, 0, p.count));
        ops::copy(rec, narrow(f32(v_, {hd, H, n}), 2, p.first, p.count).permuted(1, 2, 0, 3),
                  narrow(narrow(v_all, 3, s, 1), 0, 0, p.count));
    }
    for (std::int64_t s = 0; s < S; ++s) {
        const Stretch& p = parts[static_cast<std::size_t>(s)];
        const auto scores = f32(scores_, {keys, p.count});
        for (std::int64_t h = 0; h < H; ++h) {
            const std::uint64_t at = head_bytes * static_cast<std::uint64_t>(s * H + h);
            const auto k_h = gpu::Tensor::contiguous(kh_, TensorType::F16, {hd, p.attended}, at);
            const auto v_h = gpu::Tensor::contiguous(vh_, TensorType::F16, {keys, hd}, at);
            const auto q_h = narrow(narrow(q_heads, 2, h, 1), 1, p.first, p.count);
            const auto o_h = narrow(narrow(o_heads, 2, h, 1), 1, p.first, p.count);
            ops::matmul(rec, k_h, q_h, narrow(scores, 0, 0, p.attended));
            ops::softmax(rec, scores, scores, scale, p.attended);
            ops::matmul(rec, v_h, scores, o_h);
        }
    }
}

// Convolution `which` (0: mel -> D, stride 1; 1: D -> D, stride 2), padding 1.
void WhisperEncoder::conv(gpu::Recorder& rec, const gpu::Tensor& in, int which,
                          const gpu::Tensor& out) {
    const WhisperEncoderWeights& w = weights_;
    const gpu::Tensor& weight = which == 0 ? w.conv1_w : w.conv2_w;
    const gpu::Tensor& bias = which == 0 ? w.conv1_b : w.conv2_b;
    const std::int64_t stride = which == 0 ? 1 : 2;
    if (products_) {
        conv_by_product(rec, in, conv_weights_[which], bias, out, stride);
    } else {
        ops::conv1d(rec, in, weight, &bias, out, {stride, 1});
    }
}

// out = W cols + b, where column t of cols holds in[c, stride t + k - 1] at row k + 3 c (the
// weight's own order), zero where that falls outside the input.
void WhisperEncoder::conv_by_product(gpu::Recorder& rec, const gpu::Tensor& in,
                                     const gpu::Tensor& weight, const gpu::Tensor& bias,
                                     const gpu::Tensor& out, std::int64_t stride) {
    const std::int64_t C = in.ne[0], T = in.ne[1], T_out = out.ne[1];
    const std::int64_t rows = weight.ne[0];
    const auto cols = f32(columns_, {rows, T_out});
    const std::uint64_t col_stride = f32_bytes(rows);
    for (std::int64_t k = 0; k < kConvTaps; ++k) {
        // Output times t whose input time stride t + k - 1 lies in [0, T).
        const std::int64_t t_lo = k == 0 ? 1 : 0;
        const std::int64_t t_hi = std::min(T_out - 1, (T - k) / stride);
        gpu::Tensor dst = cols;
        dst.ne = {C, T_out, 1, 1};
        dst.nb = {f32_bytes(kConvTaps), col_stride, col_stride * static_cast<std::uint64_t>(T_out),
                  col_stride * static_cast<std::uint64_t>(T_out)};
        dst.memory = cols.memory.sub(f32_bytes(k), cols.memory.size - f32_bytes(k));
        if (t_hi >= t_lo) {
            const std::int64_t first = stride * t_lo + k - 1;
            gpu::Tensor from = in;
            from.nb[1] = in.nb[1] * static_cast<std::uint64_t>(stride);
            from.ne[1] = t_hi - t_lo + 1;
            std::uint64_t extent = 4;
            for (std::size_t i = 0; i < 4; ++i)
                extent += static_cast<std::uint64_t>(from.ne[i] - 1) * from.nb[i];
            from.memory = in.memory.sub(static_cast<std::uint64_t>(first) * in.nb[1], extent);
            ops::copy(rec, from, narrow(dst, 1, t_lo, t_hi - t_lo + 1));
        }
        // Taps outside the input are zeros; the buffer holds the other convolution's or an
        // earlier span's columns there (in another layout), so they are written every time.
        const auto zero = [&](std::int64_t first, std::int64_t count) {
            if (count <= 0) return;
            gpu::Tensor z = f32(zeros_, {C, count});
            z.nb[1] = z.nb[2] = z.nb[3] = 0;
            z.memory = zeros_.range(0, f32_bytes(C));
            ops::copy(rec, z, narrow(dst, 1, first, count));
        };
        zero(0, std::min(t_lo, T_out));
        zero(t_hi + 1, T_out - t_hi - 1);
    }
    ops::matmul(rec, weight, cols, out);
    ops::add(rec, out, bias, out);
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
    if (span.chunk < 0 || (span.chunk > 0 && span.attended != 0)) {
        throw Error(source_ + ": a span cut into stretches of " + std::to_string(span.chunk) +
                    " frames cannot mask keys");
    }
    const std::int64_t longest = span.chunk > 0 ? std::min(span.chunk, span.frames) : span.frames;
    if (longest > 2 * shape_.n_positions) {
        throw Error(source_ + ": " + std::to_string(span.frames) +
                    " mel frames are more than the encoder's " +
                    std::to_string(2 * shape_.n_positions) + "; cut the sound into windows");
    }
    if (span.pool != 1 && span.pool != 2) throw Error(source_ + ": pool must be 1 or 2");
    if (output_frames(span.frames, span.pool, span.chunk) < 1) {
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
    const std::vector<Stretch> parts = stretches(span);
    const std::int64_t D = shape_.d_model, n = output_frames(span.frames, 1, span.chunk);
    const std::int64_t n_out = output_frames(span.frames, span.pool, span.chunk);
    if (out.type != TensorType::F32 || out.ne[0] != D || out.ne[1] != n_out || out.ne[2] != 1 ||
        out.ne[3] != 1) {
        throw Error(source_ + ": output is " + out.shape_string() + ", expected [" +
                    std::to_string(D) + ", " + std::to_string(n_out) + "] f32");
    }
    reserve(span.frames, parts);

    // The mel is stored one row per bin ([T, n_mels]); the conv reads [n_mels, frames] through
    // a transposed view that starts at the span's first frame.
    const auto Tu = static_cast<std::uint64_t>(mel_frames_);
    gpu::Tensor mel_t = strided(mel_, {shape_.n_mels, mel_frames_, 1, 1},
                                {Tu, 1, Tu * static_cast<std::uint64_t>(shape_.n_mels),
                                 Tu * static_cast<std::uint64_t>(shape_.n_mels)});
    mel_t = narrow(mel_t, 1, span.first_frame, span.frames);

    // Each stretch's convolutions pad its own ends with zeros, and its positions start at 0.
    const WhisperEncoderWeights& w = weights_;
    const auto conv_t = f32(conv_, {D, span.frames});
    const auto x_t = f32(x_, {D, n});
    for (const Stretch& p : parts) {
        conv(rec, narrow(mel_t, 1, p.mel_first, p.mel_count), 0,
             narrow(conv_t, 1, p.mel_first, p.mel_count));
    }
    ops::unary(rec, ops::Activation::gelu_erf, conv_t, conv_t);
    for (const Stretch& p : parts) {
        conv(rec, narrow(conv_t, 1, p.mel_first, p.mel_count), 1, narrow(x_t, 1, p.first, p.count));
    }
    ops::unary(rec, ops::Activation::gelu_erf, x_t, x_t);
    for (const Stretch& p : parts) {
        const auto rows = narrow(x_t, 1, p.first, p.count);
        ops::add(rec, rows, w.positions.rows_slice(0, p.count), rows);
    }
    for (const auto& L : w.blocks) block(rec, L, n, parts);
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
