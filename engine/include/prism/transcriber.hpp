#pragma once

// Speech recognition with a Whisper model: the sibling of prism::Session for sound.
//
//   prism::Transcriber t("whisper-tiny.en.gguf");
//   const auto audio = prism::media::decode_audio_file("talk.mp3");
//   prism::Transcript result = t.transcribe(audio.samples);
//   for (const auto& s : result.segments) std::cout << s.start << " " << s.text << "\n";
//
// Decoding follows Whisper's reference (openai-whisper, faster-whisper): 30-s windows of
// log-mel, each encoded once; the special-token prompt (<|startoftranscript|>, language and
// task for multilingual models, <|notimestamps|> when timestamps are off) after the previous
// window's text; suppressed tokens; greedy decoding with temperature fallback on the
// compression-ratio and average log-probability thresholds; a window judged silent by the
// no-speech probability gives no text; with timestamps, the next window starts at the last
// complete timestamp. Memory does not grow with the length of the sound: one window's mel
// and the model's activations.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "prism/device.hpp"

namespace prism {

struct TranscriberOptions {
    // Index or part of a Vulkan device name; empty uses PRISM_DEVICE or picks automatically.
    std::string device;
    // The device context to load onto (shared with other models on it); null:
    // Device::shared() for `device`.
    std::shared_ptr<Device> gpu;
    // Keep the last window's encoding, so that the same sound transcribed again (with other
    // options) is not encoded again. Benchmarks turn it off.
    bool reuse_last_window = true;
};

struct TranscribeOptions {
    bool timestamps = true;  // segments at Whisper's timestamps; off: one segment per window
    // A language code ("en", "de", ...) for multilingual models; empty detects it from the
    // first 30 s (of the first clip). English-only models take only "en" (or empty); any other
    // code, or one the model has no token for, is an Error naming the model.
    std::string language;
    bool translate = false;  // multilingual models: translate into English
    // Tried in order until a window's text passes both thresholds. {0} turns fallback off.
    std::vector<float> temperatures = {0.0f, 0.2f, 0.4f, 0.6f, 0.8f, 1.0f};
    int best_of = 5;  // candidates drawn per temperature above 0
    float compression_ratio_threshold = 2.4f;
    float log_prob_threshold = -1.0f;
    // A window whose no-speech probability is above this and whose average log-probability is
    // below log_prob_threshold is silence: no text.
    float no_speech_threshold = 0.6f;
    bool condition_on_previous_text = true;
    // Only these stretches of the sound, as (start, end) seconds in increasing order (a voice
    // activity detector's speech segments; faster-whisper's clip_timestamps); empty: all of it.
    // Times in the transcript stay those of the whole sound.
    std::vector<std::pair<double, double>> clips;
    std::uint64_t seed = 0;  // for the sampled fallbacks
};

struct TranscriptSegment {
    double start = 0, end = 0;  // seconds from the start of the sound
    std::string text;
    std::vector<std::int32_t> tokens;  // as decoded, timestamps included
    double avg_logprob = 0;
    double no_speech_prob = 0;
    double compression_ratio = 0;
    float temperature = 0;
};

struct TranscribeTimings {
    double mel_ms = 0;
    double encode_ms = 0;  // encoder + cross-attention keys and values
    double decode_ms = 0;  // every decoder step, fallbacks included
    std::int64_t windows = 0;
    std::int64_t decoder_steps = 0;
    double audio_seconds = 0;
};

struct Transcript {
    std::vector<TranscriptSegment> segments;
    std::string language;  // the code used ("en" for English-only models)
    // The detected language's probability (softmax of the logits at <|startoftranscript|> over
    // the language tokens: faster-whisper's language_probability); 1 when the language was
    // given or the model is English-only; 0 when nothing was decoded to detect it from.
    double language_probability = 0;
    TranscribeTimings timings;
    bool cancelled = false;
    std::string text() const;  // the segments' text joined, leading space trimmed
};

struct LanguageProbability {
    std::string language;  // a code: "en", "de", ... ("yue" only in large-v3)
    double probability = 0;
};

// Called after each window with the seconds done and the total; also receives each segment as
// soon as its window is decoded.
struct TranscribeCallbacks {
    std::function<void(double done_seconds, double total_seconds)> progress;
    std::function<void(const TranscriptSegment&)> segment;
};

class Transcriber {
  public:
    // Loads a Whisper GGUF (tools/convert_whisper_ct2.py writes one). Throws FormatError
    // naming the file when it is not a Whisper model (a text LLM, say) or is damaged.
    explicit Transcriber(const std::filesystem::path& model,
                         const TranscriberOptions& options = {});
    ~Transcriber();
    Transcriber(const Transcriber&) = delete;
    Transcriber& operator=(const Transcriber&) = delete;

    // 16 kHz mono samples (media::decode_audio_file gives them). No samples give no segments.
    Transcript transcribe(std::span<const float> samples, const TranscribeOptions& options = {},
                          const TranscribeCallbacks& callbacks = {});

    // Multilingual models: every language the model knows with its probability for the first
    // 30 s of the sound, most probable first (the one transcribe() would detect; faster-whisper's
    // detect_language). Throws Error for an English-only model or less than 10 ms of sound.
    std::vector<LanguageProbability> detect_language(std::span<const float> samples);

    // Stops a transcribe() running on another thread after its current decoder step; it then
    // returns the segments so far with `cancelled` set. Safe from any thread.
    void cancel();

    bool multilingual() const;
    std::string model_description() const;  // "whisper: 4 + 4 blocks, 384 wide, 51864 tokens"
    // The device context the model lives on (shared with the other models on it).
    const std::shared_ptr<Device>& device() const;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace prism
