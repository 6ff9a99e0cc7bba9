#pragma once

// The Whisper encoder of an audio mmproj (`a.*` tensors, `clip.audio.*` keys, as llama.cpp's
// converter writes them) as a WhisperEncoderShape and WhisperEncoderWeights.

#include <cstdint>

#include "models/weight_loader.hpp"
#include "models/whisper_encoder.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"

namespace prism::models {

// clip.audio.{num_mel_bins, embedding_length, attention.head_count, block_count,
// attention.layer_norm_epsilon}; n_positions from a.position_embd.weight. Throws FormatError
// naming the file and the key.
WhisperEncoderShape read_whisper_shape(const gguf::File& file);

// Queues the encoder's tensors in `loader` (checked for presence, shape and type).
void plan_whisper_weights(WeightLoader& loader, WhisperEncoderWeights& w,
                          const WhisperEncoderShape& shape, const gguf::File& file);

// The conv biases are stored [1, D]; after upload they are seen as [D].
void finish_whisper_weights(WhisperEncoderWeights& w);

}  // namespace prism::models
