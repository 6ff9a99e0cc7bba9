#pragma once

// Silero VAD (version 5 or 6, 16 kHz) on the CPU: a speech probability for every 32-ms window
// of 16 kHz mono sound, from whisper.cpp's ggml-silero-*.bin files.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prism::vad {

struct SileroWeights;
struct SileroState;
struct SileroScratch;

// Samples per window (32 ms at 16 kHz): the model gives one probability per window.
inline constexpr int window_samples = 512;
inline constexpr int sample_rate = 16000;

class VoiceActivityDetector {
  public:
    // Reads a Silero VAD file (whisper.cpp's ggml container). Only regular files are read.
    // Throws prism::Error / FormatError "<path>: <problem>" for anything else: a truncated or
    // damaged file, a GGUF or Whisper model, another architecture.
    static VoiceActivityDetector load(const std::filesystem::path& path);
    // The same for the file's bytes; `name` labels the errors.
    static VoiceActivityDetector from_bytes(std::span<const std::uint8_t> bytes,
                                            std::string_view name);

    // Copies share the weights and carry their own stream state.
    VoiceActivityDetector(const VoiceActivityDetector& other);
    VoiceActivityDetector& operator=(const VoiceActivityDetector& other);
    VoiceActivityDetector(VoiceActivityDetector&&) noexcept;
    VoiceActivityDetector& operator=(VoiceActivityDetector&&) noexcept;
    ~VoiceActivityDetector();

    // The version the file states, e.g. "6.2.0".
    const std::string& version() const;

    // A whole clip from a fresh state, as the silero-vad package's get_speech_timestamps
    // computes it: one probability per window, the last window zero-padded. 0 samples give
    // none. Leaves the stream state alone.
    std::vector<float> probabilities(std::span<const float> samples) const;

    // A live stream: samples in chunks of any size; returns the probability of each window
    // the chunk completed. Equal to probabilities() of everything pushed, window for window.
    std::vector<float> push(std::span<const float> samples);
    // Ends the stream: the probability of the last, zero-padded, partial window (if any);
    // then starts a new stream.
    std::vector<float> finish();
    // Starts a new stream, dropping a partial window.
    void reset();
    // Samples pushed since the stream started.
    std::int64_t samples_pushed() const { return pushed_; }

  private:
    explicit VoiceActivityDetector(std::shared_ptr<const SileroWeights> weights);

    std::shared_ptr<const SileroWeights> weights_;
    std::unique_ptr<SileroState> state_;
    std::unique_ptr<SileroScratch> scratch_;
    std::vector<float> partial_;  // samples of the window being filled
    std::int64_t pushed_ = 0;
};

}  // namespace prism::vad
