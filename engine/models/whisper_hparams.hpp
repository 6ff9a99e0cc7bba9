#pragma once

// The hyperparameters of a Whisper GGUF (general.architecture "whisper", written by
// tools/convert_whisper_ct2.py): sizes of the encoder and decoder, and the token lists the
// reference decoding uses (suppressed tokens, language tokens).

#include <cstdint>
#include <vector>

namespace prism::gguf {
class File;
}

namespace prism::models {

struct WhisperHParams {
    std::int64_t n_state = 0;      // width of both stacks
    std::int64_t n_ff = 0;         // FFN width
    std::int64_t n_head = 0;       // decoder heads
    std::int64_t n_enc_head = 0;   // encoder heads
    std::int64_t head_dim = 0;     // n_state / n_head
    std::int64_t n_enc_layer = 0;  // encoder blocks
    std::int64_t n_dec_layer = 0;  // decoder blocks
    std::int64_t n_audio_ctx = 0;  // encoder positions (1500 for 30 s)
    std::int64_t n_text_ctx = 0;   // decoder positions (448)
    std::int64_t n_mel = 0;
    std::int64_t n_vocab = 0;  // rows of the token embedding
    float eps = 1e-5f;
    std::vector<std::int32_t> suppress_tokens;        // the model's config (non-speech tokens)
    std::vector<std::int32_t> suppress_tokens_begin;  // at the first sampled position only
    std::vector<std::int32_t> lang_ids;               // language tokens, in Whisper's order
};

// True when the file says it is a Whisper model (general.architecture).
bool is_whisper_model(const gguf::File& file);

// Reads and range-checks every key; throws FormatError naming the file and the key. A file
// that is not a Whisper model is refused saying what it is.
WhisperHParams read_whisper_hparams(const gguf::File& file);

}  // namespace prism::models
