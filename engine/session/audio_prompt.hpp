#pragma once

// The audio side of a session: the mmproj's audio encoder and the family's markers around a
// sound's rows (mtmd's init_audio, mtmd-spec.md section 7.5):
//   qwen_audio (Qwen2-Audio, Qwen2.5-Omni): <|audio_bos|> rows <|audio_eos|>
//   voxtral: [BEGIN_AUDIO] rows
//   plain (ultravox): the rows alone
// A sound longer than 30 s is encoded window by window; its rows follow each other between
// one pair of markers, as mtmd writes one audio chunk per window inside them. Audio rows take
// consecutive positions (the same in every M-RoPE plane), as mtmd gives them.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "prism/media/audio.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/tokenizer.hpp"
#include "session/image_layout.hpp"

namespace prism::gguf {
class File;
}
namespace prism::gpu {
class Context;
}

namespace prism::session {

// 64-bit FNV-1a over the samples (and a tag that keeps it apart from image hashes): equal
// sounds share their cached rows.
std::uint64_t sound_hash(const media::Audio& audio);

// What encoding a prompt's new sounds cost.
struct AudioWork {
    double decode_seconds = 0;  // the sounds' own decode time (media::Audio::decode_seconds)
    double mel_seconds = 0;
    double encode_seconds = 0;  // encoder and projector on the GPU
    std::int64_t sounds = 0;
};

class AudioPrompt {
  public:
    // Loads the encoder after checking the pair (Error naming both files and the mismatch) and
    // looks up the layout's markers in the text vocabulary.
    AudioPrompt(gpu::Context& context, const gguf::File& mmproj, const text::Tokenizer& tokenizer,
                const models::DecoderHParams& text, std::string_view text_name);
    ~AudioPrompt();

    const models::AudioHParams& hparams() const;
    // Embedding rows of a sound of `samples` 16 kHz samples (0: too short to give any).
    std::int64_t embedding_rows(std::size_t samples) const;
    // Prompt rows of such a sound, markers included.
    std::int64_t prompt_rows(std::size_t samples) const;
    // Throws Error naming the sound when this encoder cannot take it (another sample rate,
    // no samples, too short for one row).
    void check(const media::Audio& audio) const;
    // Appends a sound's markers and rows; its embedding rows are keyed by `hash`.
    void append(PromptRows& rows, std::vector<RowKey>& keys, std::uint64_t hash,
                std::size_t samples) const;
    // The sound's rows on the GPU, f32 [n_embd, embedding_rows(samples)].
    models::AudioEmbeddings encode(const media::Audio& audio, AudioWork& work);

  private:
    std::unique_ptr<models::AudioEncoder> encoder_;
    models::AudioLayoutKind layout_;
    text::TokenId begin_ = -1, end_ = -1;
};

}  // namespace prism::session
