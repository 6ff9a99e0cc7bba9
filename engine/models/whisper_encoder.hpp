#pragma once

// Whisper's audio encoder on the GPU: the one implementation behind every Whisper-family model
// (speech recognition, and the audio towers of ultravox, qwen2a and voxtral mmproj files).
//
//   log-mel [n_mels, T] -> conv1d(k 3, stride 1, pad 1) + GELU -> conv1d(k 3, stride 2, pad 1)
//   + GELU -> + position rows 0..T'-1 -> pre-LN blocks (LN -> q (+b), k (no bias), v (+b) ->
//   attention over all frames -> out (+b) -> residual; LN -> fc1 (+b) -> GELU -> fc2 (+b) ->
//   residual) -> [AvgPool1d(2, 2)] -> final LN -> [d_model, T''] f32
//
// GELU is the exact (erf) form everywhere, as in Whisper. The weights are a plain struct of
// device tensors so that a loader of any file format fills it (mmproj `a.*` tensors, ggml .bin).

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/recorder.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/media/log_mel.hpp"

namespace prism::models {

struct WhisperEncoderShape {
    std::int64_t n_mels = 80;
    std::int64_t d_model = 0;
    std::int64_t n_heads = 0;
    std::int64_t n_layers = 0;
    // Rows of the position table: the most frames after the stride-2 convolution (1500 for
    // 30 s), so the most mel frames an encode takes is 2 * n_positions.
    std::int64_t n_positions = 1500;
    float eps = 1e-5f;  // every LayerNorm
};

struct WhisperBlockWeights {
    gpu::Tensor attn_ln_w, attn_ln_b;  // f32 [D]
    gpu::Tensor q_w, q_b;              // [D, D] any computable type; f32 [D]
    gpu::Tensor k_w;                   // no bias in Whisper
    gpu::Tensor v_w, v_b;
    gpu::Tensor out_w, out_b;
    gpu::Tensor mlp_ln_w, mlp_ln_b;
    gpu::Tensor fc1_w, fc1_b;  // [D, n_ff]; f32 [n_ff]
    gpu::Tensor fc2_w, fc2_b;  // [n_ff, D]; f32 [D]
};

struct WhisperEncoderWeights {
    gpu::Tensor conv1_w, conv1_b;  // F32/F16 [3, n_mels, D] (PyTorch [D, n_mels, 3]); f32 [D]
    gpu::Tensor conv2_w, conv2_b;  // F32/F16 [3, D, D]; f32 [D]
    gpu::Tensor positions;         // f32 [D, n_positions]
    std::vector<WhisperBlockWeights> blocks;
    gpu::Tensor ln_post_w, ln_post_b;  // f32 [D]

    std::vector<gpu::Buffer> buffers;  // owns the memory the tensors view (may be empty)
    std::uint64_t bytes = 0;
};

// Throws FormatError naming `source` unless every count is positive (at most 2^24), the epsilon
// finite and > 0, and the heads divide d_model into head sizes that are multiples of 8 up to
// 256 (every Whisper size has 64).
void check_whisper_encoder_shape(const WhisperEncoderShape& shape, const std::string& source);

// check_whisper_encoder_shape, then throws FormatError naming `source` and the tensor when a
// weight's shape or type does not fit `shape`.
void check_whisper_encoder(const WhisperEncoderShape& shape, const WhisperEncoderWeights& weights,
                           const std::string& source);

struct WhisperEncoding {
    gpu::Buffer buffer;  // owns the rows
    gpu::Tensor tensor;  // f32 [d_model, frames]
};

// Which mel frames one encoder pass reads and what its frames attend to.
struct WhisperEncodeSpan {
    std::int64_t first_frame = 0;  // mel frames [first_frame, first_frame + frames)
    std::int64_t frames = 0;       // 1 .. 2 * n_positions; the convolutions pad with zeros
    // Encoder frames (after the stride-2 convolution) that every frame attends to: the first
    // `attended`, as a key mask over padding does (Qwen2-Audio); 0 means all of them.
    std::int64_t attended = 0;
    int pool = 1;  // 1, or 2 for AvgPool1d(2, 2) before the final LayerNorm (qwen2a, voxtral)
    // Mel frames per stretch encoded as if alone (zero-padded convolutions, position rows
    // from 0, attention within the stretch; Qwen2.5-Omni), the pool still over the whole
    // span; 0: the span is one stretch. Needs attended == 0.
    std::int64_t chunk = 0;
};

class WhisperEncoder {
  public:
    // `source` (the file name) starts every error message. Checks the weights.
    WhisperEncoder(gpu::Context& context, WhisperEncoderShape shape, WhisperEncoderWeights weights,
                   std::string source);

    const WhisperEncoderShape& shape() const { return shape_; }
    const WhisperEncoderWeights& weights() const { return weights_; }

    // Encoder frames for `mel_frames` input frames: ceil(mel_frames / 2), summed over the
    // stretches of `chunk` frames (0: one stretch), then halved (floor) by a pool of 2.
    static std::int64_t output_frames(std::int64_t mel_frames, int pool, std::int64_t chunk = 0);

    // Uploads a mel spectrogram for the spans recorded after it (replacing the previous one;
    // submit what was recorded before uploading another).
    void upload(const media::MelSpectrogram& mel);
    // Records one pass over a span of the uploaded mel into `rec`; `out` is f32
    // [d_model, output_frames(span.frames, span.pool)] (any column stride). Several spans may
    // be recorded into one command buffer: the activations are reused in order. Throws Error
    // naming the source for an empty, out-of-range or over-long span.
    void record(gpu::Recorder& rec, const WhisperEncodeSpan& span, const gpu::Tensor& out);

    // The whole of `mel` as one span (full attention), submitted and waited for.
    WhisperEncoding encode(const media::MelSpectrogram& mel, int pool = 1);

  private:
    // Encoder frames [first, first + count) that attend to the first `attended` of them, from
    // mel frames [mel_first, mel_first + mel_count) of the span.
    struct Stretch {
        std::int64_t mel_first = 0, mel_count = 0;
        std::int64_t first = 0, count = 0, attended = 0;
    };
    static std::vector<Stretch> stretches(const WhisperEncodeSpan& span);

    void check_span(const WhisperEncodeSpan& span) const;
    void reserve(std::int64_t mel_frames, std::span<const Stretch> parts);
    void block(gpu::Recorder& rec, const WhisperBlockWeights& L, std::int64_t n,
               std::span<const Stretch> parts);
    void attention_by_products(gpu::Recorder& rec, std::int64_t n, std::span<const Stretch> parts);
    void conv(gpu::Recorder& rec, const gpu::Tensor& in, int which, const gpu::Tensor& out);
    void conv_by_product(gpu::Recorder& rec, const gpu::Tensor& in, const gpu::Tensor& weight,
                         const gpu::Tensor& bias, const gpu::Tensor& out, std::int64_t stride);
    void prepare_products();

    // On CPU devices (lavapipe) the self-attention runs as two matrix products per head with
    // a softmax between them, and each convolution as one product over an im2col copy of its
    // input: the matrix-product kernel there is about three times the speed of the fused
    // attention kernel and of the convolution kernel at Whisper's 1500 frames.
    bool products_ = false;
    // The convolution weights as [k + 3 c, D] product weights, rows padded with zeros to the
    // product kernel's depth step.
    gpu::Buffer conv_weight_buffers_[2];
    gpu::Tensor conv_weights_[2];
    gpu::Buffer zeros_;  // f32 zeros, as long as the widest convolution input column

    gpu::Context& ctx_;
    WhisperEncoderShape shape_;
    WhisperEncoderWeights weights_;
    std::string source_;
    std::int64_t n_ff_ = 0;
    std::int64_t capacity_ = 0;                       // mel frames the activations hold
    std::int64_t frames_capacity_ = 0;                // encoder frames they hold
    std::int64_t kv_capacity_ = 0;                    // key rows kh_ and vh_ hold
    std::int64_t mel_frames_ = 0, mel_capacity_ = 0;  // the uploaded mel's frames, its buffer's
    gpu::Buffer mel_, conv_, x_, xn_, o_, q_, k_, v_, kh_, vh_, attn_, up_, pooled_;
    gpu::Buffer scores_;   // attention_by_products: one head's f32 [keys_pad, frames] scores
    gpu::Buffer columns_;  // conv_by_product: the im2col copy, f32 [rows_pad, frames]
};

}  // namespace prism::models
