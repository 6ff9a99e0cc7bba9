#pragma once

// whisper.cpp's Whisper files (ggml-tiny.en.bin ... ggml-large-v3.bin, f32, f16 and the
// q4_0..q8_0 quantizations) read as the Whisper GGUF layout the rest of Prism knows
// (models/whisper_hparams.hpp): the hyperparameters become whisper.* keys, the vocabulary a
// GPT-2 byte-level BPE (its merges rebuilt from the token ranks, Whisper's special tokens added
// by their fixed places), the tensors take the GGUF names and point into the file's own bytes.
// One encoder and decoder then run both formats.
//
// The container (whisper.cpp's whisper_model_load and models/convert-pt-to-ggml.py): int32
// magic 0x67676d6c; eleven int32 hyperparameters (n_vocab, n_audio_ctx, n_audio_state,
// n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels,
// ftype); the mel filters (n_mel, n_fft, floats); the vocabulary (a count, then each token's
// byte length and bytes); then tensors to the end of the file, each n_dims, name length, type,
// the dimensions innermost first, the name and the data, packed without padding.

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "prism/gguf.hpp"

namespace prism::models {

// True when `head` (a file's first bytes) starts with the ggml magic.
bool has_ggml_magic(std::span<const std::byte> head);

// Throws FormatError "<file>: <problem>" for anything that is not a whisper.cpp Whisper model
// (a Silero VAD file from the same project included), before allocating by any count it reads.
gguf::File open_whisper_ggml(const std::filesystem::path& path);
gguf::File whisper_ggml_from_bytes(std::span<const std::byte> bytes, std::string name);

// A Whisper model in either container, told apart by its first bytes.
gguf::File open_whisper_model(const std::filesystem::path& path);

}  // namespace prism::models
