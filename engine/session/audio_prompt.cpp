#include "session/audio_prompt.hpp"

#include <chrono>
#include <cstdio>
#include <span>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"

namespace prism::session {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

text::TokenId audio_marker(const text::Tokenizer& tokenizer, std::string_view text,
                           std::string_view model_name) {
    return layout_marker(tokenizer, text, model_name, "audio");
}

std::string seconds_text(const media::Audio& audio) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", audio.duration_seconds());
    return buf;
}

}  // namespace

std::uint64_t sound_hash(const media::Audio& audio) {
    std::uint64_t h = kFnvOffset;
    const auto mix = [&](std::span<const std::uint8_t> bytes) {
        for (const std::uint8_t b : bytes) {
            h ^= b;
            h *= kFnvPrime;
        }
    };
    constexpr std::string_view kTag = "sound";
    mix(std::span(reinterpret_cast<const std::uint8_t*>(kTag.data()), kTag.size()));
    const std::uint64_t n = audio.samples.size();
    mix(std::span(reinterpret_cast<const std::uint8_t*>(&n), sizeof n));
    mix(std::span(reinterpret_cast<const std::uint8_t*>(audio.samples.data()),
                  audio.samples.size() * sizeof(float)));
    return h;
}

AudioPrompt::AudioPrompt(gpu::Context& context, const gguf::File& mmproj,
                         const text::Tokenizer& tokenizer, const models::DecoderHParams& text,
                         std::string_view text_name)
    : encoder_([&] {
          models::check_audio_pair(models::read_audio_hparams(mmproj), text.n_embd, mmproj.name(),
                                   text_name);
          return std::make_unique<models::AudioEncoder>(context, mmproj);
      }()),
      layout_(models::projector_traits(encoder_->hparams().projector).audio.layout) {
    switch (layout_) {
        case models::AudioLayoutKind::qwen_audio:
            begin_ = audio_marker(tokenizer, "<|audio_bos|>", text_name);
            end_ = audio_marker(tokenizer, "<|audio_eos|>", text_name);
            break;
        case models::AudioLayoutKind::voxtral:
            begin_ = audio_marker(tokenizer, "[BEGIN_AUDIO]", text_name);
            break;
        case models::AudioLayoutKind::plain:
            break;
    }
}

AudioPrompt::~AudioPrompt() = default;

const models::AudioHParams& AudioPrompt::hparams() const {
    return encoder_->hparams();
}

std::int64_t AudioPrompt::embedding_rows(std::size_t samples) const {
    return encoder_->tokens_for(samples);
}

std::int64_t AudioPrompt::prompt_rows(std::size_t samples) const {
    return embedding_rows(samples) + (begin_ >= 0 ? 1 : 0) + (end_ >= 0 ? 1 : 0);
}

void AudioPrompt::check(const media::Audio& audio) const {
    const std::string name = audio.name.empty() ? std::string("a sound") : audio.name;
    if (audio.sample_rate != media::audio_sample_rate) {
        throw Error(name + ": the sound is at " + std::to_string(audio.sample_rate) +
                    " Hz; the audio encoder takes " + std::to_string(media::audio_sample_rate) +
                    " Hz (decode it with media::decode_audio_*)");
    }
    if (audio.samples.empty()) throw Error(name + ": the sound has no samples");
    if (embedding_rows(audio.samples.size()) <= 0) {
        throw Error(name + ": the sound (" + seconds_text(audio) +
                    ") is too short for this model's audio encoder");
    }
}

void AudioPrompt::append(PromptRows& rows, std::vector<RowKey>& keys, std::uint64_t hash,
                         std::size_t samples) const {
    const std::int64_t n = embedding_rows(samples);
    if (begin_ >= 0) {
        rows.append_token(begin_);
        keys.push_back({begin_, 0, 0});
    }
    rows.append_embeddings(n, false);
    for (std::int64_t i = 0; i < n; ++i) keys.push_back({-1, hash, i});
    if (end_ >= 0) {
        rows.append_token(end_);
        keys.push_back({end_, 0, 0});
    }
}

models::AudioEmbeddings AudioPrompt::encode(const media::Audio& audio, AudioWork& work) {
    check(audio);
    const auto t_mel = std::chrono::steady_clock::now();
    const std::vector<media::MelSpectrogram> windows = encoder_->mel(audio.samples);
    work.mel_seconds += seconds_since(t_mel);
    const auto t_encode = std::chrono::steady_clock::now();
    models::AudioEmbeddings rows = encoder_->encode(
        windows, audio.samples.size(), audio.name.empty() ? std::string_view("sound") : audio.name);
    work.encode_seconds += seconds_since(t_encode);
    work.decode_seconds += audio.decode_seconds;
    ++work.sounds;
    return rows;
}

}  // namespace prism::session
