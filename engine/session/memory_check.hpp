#pragma once

// Refuses a model that cannot fit before any device memory is spent on it.

#include <cstdint>

#include "prism/gguf.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/models/vision_encoder.hpp"
#include "prism/session.hpp"

namespace prism::session {

// Device memory the vision encoder of `vision` needs besides its weights for the largest
// image it accepts: the ViT activations of that image's patches (as VisionEncoder::reserve
// sizes them, FFN in full) plus the embedding rows of every tile of one image, as the session
// gathers them. An upper estimate, to refuse a model early, not an allocator; absurd values
// from a damaged file give at most 2^62 bytes rather than wrapping around.
std::uint64_t vision_activation_bytes(const models::VisionHParams& vision);

// Device memory the audio encoder of `audio` needs besides its weights for one 30-s window:
// the Whisper activations of its 3000 mel frames and 1500 encoder frames, the projector's, and
// the rows of one window. An upper estimate, as vision_activation_bytes.
std::uint64_t audio_activation_bytes(const models::AudioHParams& audio);

// Throws Error saying how much device memory the weights, the KV cache and (with an mmproj)
// the vision and audio encoders' weights and activations need and how much the device (or
// options.memory_budget_bytes) offers; `in_use` bytes of the device are already taken by
// other models on it and count against the device's memory (not against a budget, which is
// this model's own).
void check_fits(const gguf::File& file, const models::DecoderHParams& hparams,
                const SessionOptions& options, const gpu::DeviceInfo& device,
                const gguf::File* mmproj = nullptr, std::uint64_t in_use = 0);

}  // namespace prism::session
