#pragma once

// Range checks of the hyperparameters read from a model's metadata, done at load so that a
// file with a NaN epsilon or a zero head count fails there, naming the file and the key, and
// not at the first generation. Every message reads "<file>: key <name> = <value>: <why>".

#include <cstdint>
#include <string>
#include <string_view>

#include "prism/models/architecture.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/models/vision_encoder.hpp"

namespace prism::gguf {
class File;
}

namespace prism::models {

[[noreturn]] void fail_key(const gguf::File& file, std::string_view key, const std::string& value,
                           std::string_view why);
// A count that must be at least 1.
void require_positive(const gguf::File& file, std::string_view key, std::int64_t value);
// `divisor` (the value of `key`) must divide `of`, the value of the key named `of_name`.
void require_divides(const gguf::File& file, std::string_view key, std::int64_t divisor,
                     std::string_view of_name, std::int64_t of);
// A float that must be finite and >= 0 (an absent rope.scaling.factor reads as 0).
void require_finite_non_negative(const gguf::File& file, std::string_view key, double value);

// Everything read_hparams / read_vision_hparams / read_audio_hparams filled in; throws FormatError.
void check_decoder_hparams(const gguf::File& file, const DecoderHParams& h);
void check_vision_hparams(const gguf::File& file, const VisionHParams& h);
void check_audio_hparams(const gguf::File& file, const AudioHParams& h);

}  // namespace prism::models
