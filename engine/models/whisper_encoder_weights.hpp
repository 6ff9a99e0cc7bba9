#pragma once

// Fills the shared Whisper encoder's weights (models/whisper_encoder.hpp) from
// a Whisper GGUF, whose encoder tensors carry llama.cpp's mmproj names
// (a.conv1d.1, a.blk.N.*, a.post_ln).

#include "models/whisper_encoder.hpp"
#include "models/whisper_hparams.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"

namespace prism::models {

WhisperEncoderShape whisper_encoder_shape(const WhisperHParams& h);

// Checks every encoder tensor (presence, shape, type) before uploading any.
WhisperEncoderWeights load_whisper_encoder_weights(gpu::Context& context, const gguf::File& file,
                                                   const WhisperHParams& h);

}  // namespace prism::models
