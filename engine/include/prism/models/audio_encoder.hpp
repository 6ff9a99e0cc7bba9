#pragma once
// The audio tower and projector of a multimodal model, read from llama.cpp's mmproj GGUF
// (`clip.audio.*` keys, `a.*` and `mm.a.*` tensors) and run on the GPU: 16 kHz samples in, one
// embedding row per audio token out, in the width of the text model. The tower is the Whisper
// encoder (engine/models/whisper_encoder.hpp); the projector row (projector_traits.hpp) says
// which frames it runs over and how frames become rows.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/media/log_mel.hpp"
#include "prism/models/projector_traits.hpp"

namespace prism::models {

struct AudioHParams {
    ProjectorType projector = ProjectorType::qwen2a;  // its row: projector_traits(projector)
    std::int64_t n_mels = 0;                          // clip.audio.num_mel_bins
    std::int64_t n_embd = 0;                          // clip.audio.embedding_length
    std::int64_t n_ff = 0;                            // clip.audio.feed_forward_length
    std::int64_t n_layer = 0;
    std::int64_t n_head = 0;
    float eps = 1e-5f;
    std::int64_t n_positions = 0;     // rows of a.position_embd (1500)
    std::int32_t stack_factor = 1;    // frames per row (ultravox 8, voxtral 4)
    std::int64_t projection_dim = 0;  // as written; output_dim is what the tensors say
    std::int64_t output_dim = 0;
};

struct AudioEmbeddings {
    gpu::Buffer buffer;  // owns the rows
    gpu::Tensor tensor;  // f32, ne = [output_dim, n_tokens]
};

class AudioEncoder {
  public:
    // Throws FormatError naming the mmproj file and the problem (not an mmproj, no audio
    // encoder, unsupported projector, missing tensor, wrong shape).
    AudioEncoder(gpu::Context& context, const gguf::File& mmproj);
    ~AudioEncoder();
    AudioEncoder(AudioEncoder&&) noexcept;
    AudioEncoder& operator=(AudioEncoder&&) noexcept;

    const AudioHParams& hparams() const;
    // Rows for a sound of `samples` 16 kHz samples (windows of 30 s, in order); 0 for none.
    std::int64_t tokens_for(std::size_t samples) const;
    // The normalised log-mel windows of the sound (media::LogMelSpectrogram, n_mels bins).
    std::vector<media::MelSpectrogram> mel(std::span<const float> samples) const;
    // The rows of a sound from its mel windows and its length in samples, one command buffer
    // per window. Throws Error naming `label` for a sound of no samples.
    AudioEmbeddings encode(std::span<const media::MelSpectrogram> windows, std::size_t samples,
                           std::string_view label);

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

// Reads and checks the clip.audio.* metadata of an mmproj (no tensors are uploaded).
AudioHParams read_audio_hparams(const gguf::File& mmproj);

// Everything the AudioEncoder constructor checks, without a device; returns the hparams.
AudioHParams check_audio_encoder(const gguf::File& mmproj);

// Whether the mmproj holds an audio encoder (clip.has_audio_encoder).
bool has_audio_encoder(const gguf::File& mmproj);

// Throws Error naming both files when the projector's row width differs from the text model's.
void check_audio_pair(const AudioHParams& audio, std::int64_t text_n_embd,
                      std::string_view mmproj_name, std::string_view text_name);

}  // namespace prism::models
