// The audio tower of an mmproj: the Whisper encoder over each 30-s window, then the row's
// projector, one command buffer per window, rows of consecutive windows in order.

#include "prism/models/audio_encoder.hpp"

#include <algorithm>
#include <string>

#include "models/audio_weights.hpp"
#include "models/tensor_views.hpp"
#include "models/whisper_encoder.hpp"
#include "prism/error.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/gated.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/unary.hpp"

namespace prism::models {
namespace {

constexpr std::size_t kWindowSamples = media::mel_window_samples;
constexpr float kProjectorRmsEps = 1e-6f;  // ultravox's RMSNorms (mtmd and the reference)

// What one 30-s window of `samples` sound samples runs: the encoder span and the rows it gives.
struct WindowPlan {
    WhisperEncodeSpan span;
    std::int64_t frames_used = 0;  // encoder frames the projector reads
    std::int64_t rows = 0;
};

WindowPlan plan_window(const AudioHParams& h, std::size_t samples) {
    const AudioRule& rule = projector_traits(h.projector).audio;
    WindowPlan p;
    p.span.pool = rule.pool;
    p.span.frames = media::mel_window_frames;
    if (rule.frames == AudioFrames::sound_only) {
        // The reference's feature mask covers ceil(samples / 160) frames; its encoder frames
        // (after the stride-2 convolution) attend to the first (L - 1) / 2 + 1 of them. The
        // convolutions read two frames past the sound, which are padding in the reference too.
        const auto sound = static_cast<std::int64_t>((samples + media::mel_hop - 1) /
                                                     static_cast<std::size_t>(media::mel_hop));
        p.span.frames = std::min<std::int64_t>(sound + 2, media::mel_window_frames);
        p.span.attended = (sound - 1) / 2 + 1;
        // Pooled: (n - 2) / 2 + 1 rows as the reference counts them (none for n < 2).
        p.frames_used = rule.pool != 2         ? p.span.attended
                        : p.span.attended >= 2 ? (p.span.attended - 2) / 2 + 1
                                               : 0;
        p.rows = std::max<std::int64_t>(p.frames_used, 0);
        return p;
    }
    if (rule.frames == AudioFrames::sound_in_chunks) {
        // The reference's feature mask covers ceil(samples / 160) frames, cut into stretches
        // that each pad their own ends; pooled as the qwen2a rule counts.
        p.span.frames = std::min<std::int64_t>(
            static_cast<std::int64_t>((samples + media::mel_hop - 1) /
                                      static_cast<std::size_t>(media::mel_hop)),
            media::mel_window_frames);
        p.span.chunk = rule.chunk_frames;
        p.frames_used = WhisperEncoder::output_frames(p.span.frames, rule.pool, p.span.chunk);
        p.rows = p.frames_used;
        return p;
    }
    const std::int64_t frames = WhisperEncoder::output_frames(p.span.frames, rule.pool);
    p.rows = frames / h.stack_factor;  // a last partial stack is dropped
    p.frames_used = p.rows * h.stack_factor;
    return p;
}

std::vector<std::size_t> window_samples(std::size_t samples) {
    std::vector<std::size_t> out;
    for (std::size_t at = 0; at < samples; at += kWindowSamples) {
        out.push_back(std::min(kWindowSamples, samples - at));
    }
    return out;
}

}  // namespace

struct AudioEncoder::Impl {
    gpu::Context& ctx;
    std::string name;
    AudioHParams h;
    const ProjectorTraits& traits;
    AudioProjectorWeights proj;  // views of buffers the encoder's weights own
    WhisperEncoder encoder;
    gpu::Buffer frames, normed, mid, gated_out;

    static WhisperEncoder load(gpu::Context& context, const gguf::File& file, const AudioHParams& h,
                               AudioProjectorWeights& proj) {
        const WhisperEncoderShape shape = whisper_shape(h);
        check_whisper_encoder_shape(shape, file.name());
        WeightLoader loader(file,
                            "audio projector " + std::string(projector_traits(h.projector).name));
        WhisperEncoderWeights w;
        plan_whisper_weights(loader, w, shape, file);
        plan_audio_projector(loader, proj, h);
        w.buffers = loader.upload_all(context, w.bytes);
        finish_whisper_weights(w);
        return WhisperEncoder(context, shape, std::move(w), file.name());
    }

    Impl(gpu::Context& context, const gguf::File& file)
        : ctx(context),
          name(file.name()),
          h(read_audio_hparams(file)),
          traits(projector_traits(h.projector)),
          encoder(load(context, file, h, proj)) {
        const std::int64_t D = h.n_embd;
        const std::int64_t most = WhisperEncoder::output_frames(media::mel_window_frames, 1);
        frames = ctx.allocate(f32_bytes(D * most));
        const std::int64_t hidden = proj.mlp1 ? proj.mlp1->ne[1] : 0;
        if (proj.norm_pre) normed = ctx.allocate(f32_bytes(D * most));
        if (hidden > 0) mid = ctx.allocate(f32_bytes(hidden * most));
        if (proj.norm_mid) gated_out = ctx.allocate(f32_bytes(hidden / 2 * most));
    }

    std::int64_t tokens(std::size_t samples) const {
        std::int64_t rows = 0;
        for (const std::size_t n : window_samples(samples)) rows += plan_window(h, n).rows;
        return rows;
    }

    // The projector over `used` encoder frames in `frames`, into `out` [output_dim, rows].
    void project(gpu::Recorder& rec, std::int64_t used, const gpu::Tensor& out) {
        const std::int64_t D = h.n_embd, rows = out.ne[1];
        switch (traits.audio.head) {
            case AudioHead::linear:
                ops::matmul(rec, *proj.fc_w, columns(frames, D, 0, used), out);
                ops::add(rec, out, *proj.fc_b, out);
                return;
            case AudioHead::stack_gelu_mlp: {
                // Consecutive frames are consecutive columns: a stack of S is one column of S*D.
                const auto stacked = f32(frames, {D * h.stack_factor, rows});
                const auto mid_t = f32(mid, {proj.mlp1->ne[1], rows});
                ops::matmul(rec, *proj.mlp1, stacked, mid_t);
                ops::unary(rec, ops::Activation::gelu_erf, mid_t, mid_t);
                ops::matmul(rec, *proj.mlp2, mid_t, out);
                return;
            }
            case AudioHead::stack_swiglu: {
                const std::int64_t in = D * h.stack_factor, hidden = proj.mlp1->ne[1];
                const auto stacked = f32(frames, {in, rows});
                const auto normed_t = f32(normed, {in, rows});
                ops::rms_norm(rec, stacked, normed_t, kProjectorRmsEps, &*proj.norm_pre);
                const auto mid_t = f32(mid, {hidden, rows});
                ops::matmul(rec, *proj.mlp1, normed_t, mid_t);
                // out = first half * SiLU(second half), as the reference splits it.
                const auto first = narrow(mid_t, 0, 0, hidden / 2);
                const auto second = narrow(mid_t, 0, hidden / 2, hidden / 2);
                const auto g = f32(gated_out, {hidden / 2, rows});
                ops::gated(rec, ops::Activation::silu, second, first, g);
                ops::rms_norm(rec, g, g, kProjectorRmsEps, &*proj.norm_mid);
                ops::matmul(rec, *proj.mlp2, g, out);
                return;
            }
            case AudioHead::none:
                break;
        }
        throw Error(name + ": audio projector row without a head");
    }

    AudioEmbeddings encode(std::span<const media::MelSpectrogram> windows, std::size_t samples,
                           std::string_view label) {
        const auto sizes = window_samples(samples);
        if (sizes.empty()) throw Error(std::string(label) + ": the sound has no samples");
        if (windows.size() != sizes.size()) {
            throw Error(std::string(label) + ": " + std::to_string(windows.size()) +
                        " mel windows for " + std::to_string(sizes.size()) + " of sound");
        }
        const std::int64_t total = tokens(samples);
        if (total <= 0) {
            throw Error(std::string(label) + ": the sound (" + std::to_string(samples) +
                        " samples) is too short to give any audio token");
        }
        AudioEmbeddings result;
        result.buffer = ctx.allocate(f32_bytes(h.output_dim * total));
        result.tensor = f32(result.buffer, {h.output_dim, total});
        std::int64_t at = 0;
        for (std::size_t w = 0; w < sizes.size(); ++w) {
            const WindowPlan plan = plan_window(h, sizes[w]);
            if (plan.rows <= 0) continue;
            encoder.upload(windows[w]);
            auto rec = ctx.record();
            const std::int64_t produced =
                WhisperEncoder::output_frames(plan.span.frames, plan.span.pool, plan.span.chunk);
            encoder.record(rec, plan.span, f32(frames, {h.n_embd, produced}));
            project(rec, plan.frames_used, columns(result.tensor, at, plan.rows));
            ctx.submit(rec);
            at += plan.rows;
        }
        return result;
    }
};

AudioEncoder::AudioEncoder(gpu::Context& context, const gguf::File& mmproj)
    : impl_(std::make_unique<Impl>(context, mmproj)) {}
AudioEncoder::~AudioEncoder() = default;
AudioEncoder::AudioEncoder(AudioEncoder&&) noexcept = default;
AudioEncoder& AudioEncoder::operator=(AudioEncoder&&) noexcept = default;

const AudioHParams& AudioEncoder::hparams() const {
    return impl_->h;
}

std::int64_t AudioEncoder::tokens_for(std::size_t samples) const {
    return impl_->tokens(samples);
}

std::vector<media::MelSpectrogram> AudioEncoder::mel(std::span<const float> samples) const {
    media::LogMelSpectrogram spectrogram(static_cast<int>(impl_->h.n_mels));
    return spectrogram.windows(samples);
}

AudioEmbeddings AudioEncoder::encode(std::span<const media::MelSpectrogram> windows,
                                     std::size_t samples, std::string_view label) {
    return impl_->encode(windows, samples, label);
}

AudioHParams check_audio_encoder(const gguf::File& mmproj) {
    AudioHParams h = read_audio_hparams(mmproj);
    check_whisper_encoder_shape(whisper_shape(h), mmproj.name());
    WeightLoader loader(mmproj,
                        "audio projector " + std::string(projector_traits(h.projector).name));
    WhisperEncoderWeights w;
    AudioProjectorWeights proj;
    plan_whisper_weights(loader, w, whisper_shape(h), mmproj);
    plan_audio_projector(loader, proj, h);
    loader.convert_all();
    return h;
}

}  // namespace prism::models
