#pragma once

// The Whisper encoder of an audio mmproj (`a.*` tensors, `clip.audio.*` keys, as llama.cpp's
// converter writes them) as a WhisperEncoderShape and WhisperEncoderWeights.

#include <cstdint>
#include <optional>

#include "models/weight_loader.hpp"
#include "models/whisper_encoder.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/models/audio_encoder.hpp"

namespace prism::models {

// The encoder's shape from an audio mmproj's hparams.
WhisperEncoderShape whisper_shape(const AudioHParams& h);

// clip.audio.{num_mel_bins, embedding_length, attention.head_count, block_count,
// attention.layer_norm_epsilon}; n_positions from a.position_embd.weight. Throws FormatError
// naming the file and the key.
WhisperEncoderShape read_whisper_shape(const gguf::File& file);

// Queues the encoder's tensors in `loader` (checked for presence, shape and type).
void plan_whisper_weights(WeightLoader& loader, WhisperEncoderWeights& w,
                          const WhisperEncoderShape& shape, const gguf::File& file);

// The conv biases are stored [1, D]; after upload they are seen as [D].
void finish_whisper_weights(WhisperEncoderWeights& w);

// The projector after the encoder (the row's AudioHead says which are set).
struct AudioProjectorWeights {
    std::optional<gpu::Tensor> norm_pre, norm_mid;  // ultravox: f32 [S*D], [hidden / 2]
    std::optional<gpu::Tensor> mlp1, mlp2;          // ultravox, voxtral: no biases
    std::optional<gpu::Tensor> fc_w, fc_b;          // qwen2a
};

// Queues the projector's tensors in `loader` (checked for presence, shape and type).
void plan_audio_projector(WeightLoader& loader, AudioProjectorWeights& w, const AudioHParams& h);

}  // namespace prism::models
