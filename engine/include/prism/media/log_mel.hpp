#pragma once

// Whisper's log-mel spectrogram, the input of every Whisper-family audio encoder (ultravox,
// qwen2a, voxtral, ...), computed exactly as transformers' WhisperFeatureExtractor does.
//
// The sound is cut into 30-s windows of 480000 samples at 16 kHz, the last one padded with
// zeros; each window is one encoder input of 3000 frames, processed on its own as
// WhisperFeatureExtractor processes a 30-s clip:
//   - the window is reflect-padded by 200 samples at each end (numpy "reflect": x[200..1]
//     before, x[479998..479799] after);
//   - frame t (0..2999) is padded[160 t, 160 t + 400) times a periodic Hann window of 400;
//     the 3001st frame numpy's STFT would give is dropped, as transformers does;
//   - |FFT|^2 of the 400 samples (201 bins), Slaney-style mel filters (Slaney mel scale,
//     0..8000 Hz, area-normalised), log10 of max(mel, 1e-10): the "raw" log-mel;
//   - normalised per window: v = max(v, max over the window's raw values - 8), then (v + 4) / 4.
// llama.cpp's mtmd differs in two ways: its floor is 2^-24 (which changes values only in
// windows whose largest raw value is under log10(2^-24) + 8 = 0.78: quiet recordings), and for
// sound longer than 30 s it takes one maximum over the whole signal and runs frames on across
// window edges, where this treats each 30-s window alone, as Whisper treats each chunk.
//
// The FFT is FFmpeg's av_tx. Objects of these classes are not shared between threads.

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace prism::media {

inline constexpr int mel_n_fft = 400;
inline constexpr int mel_hop = 160;
inline constexpr int mel_window_samples = 30 * 16000;
inline constexpr int mel_window_frames = mel_window_samples / mel_hop;  // 3000

// [n_mel, n_frames], mel-major: value(m, t) = data[m * n_frames + t], the layout the encoders
// read (one row per mel bin).
struct MelSpectrogram {
    int n_mel = 0;
    int n_frames = 0;
    std::vector<float> data;

    float at(int mel, int frame) const {
        return data[static_cast<std::size_t>(mel) * static_cast<std::size_t>(n_frames) +
                    static_cast<std::size_t>(frame)];
    }
};

namespace detail {
class MelFrameComputer;
}

// Whole-signal form: every window at once.
class LogMelSpectrogram {
  public:
    // n_mel is the mmproj's clip.audio.num_mel_bins (80 for Whisper up to v2, 128 for
    // Whisper-large-v3 derived encoders); 1..256, else prism::Error.
    explicit LogMelSpectrogram(int n_mel);
    ~LogMelSpectrogram();
    LogMelSpectrogram(const LogMelSpectrogram&) = delete;
    LogMelSpectrogram& operator=(const LogMelSpectrogram&) = delete;

    int n_mel() const;

    // One normalised [n_mel, 3000] spectrogram per 30-s window of the 16 kHz mono samples
    // (ceil(samples / 480000) windows; none for no samples). Each window takes n_mel * 12 KB
    // (1.5 MB at 128 bins); StreamingLogMel keeps only one for long recordings.
    std::vector<MelSpectrogram> windows(std::span<const float> samples);
    // The raw (un-normalised) log-mel of all windows, frames of consecutive windows side by
    // side: [n_mel, 3000 * windows].
    MelSpectrogram raw(std::span<const float> samples);

  private:
    std::unique_ptr<detail::MelFrameComputer> frames_;
};

// Streaming form (a microphone): samples arrive in chunks of any size; each raw log-mel frame
// is computed as soon as the samples it covers have arrived (frame t of a window needs the
// window's samples up to 160 t + 200, and frame 0 the first 201), and is bit-identical to the
// same frame of LogMelSpectrogram::raw over the whole signal. Normalisation needs the maximum
// of a whole window, so normalised windows come out when their 480000 samples are in, or at
// finish() for the last, zero-padded one, equal to LogMelSpectrogram::windows. Memory is
// bounded by one window of samples and one of frames.
class StreamingLogMel {
  public:
    explicit StreamingLogMel(int n_mel);
    ~StreamingLogMel();
    StreamingLogMel(const StreamingLogMel&) = delete;
    StreamingLogMel& operator=(const StreamingLogMel&) = delete;

    int n_mel() const;

    // Adds samples (16 kHz mono) and computes every frame they complete.
    void push(std::span<const float> samples);
    // Ends the stream: the current window is zero-padded to 30 s and completed. A stream that
    // ended exactly on a window edge (or got no samples) adds no window. push() after finish()
    // starts a new stream.
    void finish();

    // Raw frames computed since the last call, frame-major ([frames][n_mel]), in order; frames
    // of consecutive windows follow each other.
    std::vector<float> take_raw_frames();
    // Normalised windows completed since the last call, in order.
    std::vector<MelSpectrogram> take_windows();

    // Total samples pushed since the stream started.
    std::size_t samples_pushed() const { return pushed_; }

  private:
    void compute_ready_frames(bool ended);
    void complete_window();

    std::unique_ptr<detail::MelFrameComputer> frames_;
    std::vector<float> window_samples_;  // the current window's samples so far
    std::vector<float> window_frames_;   // its raw frames so far, frame-major
    int next_frame_ = 0;                 // in the current window
    std::vector<float> raw_out_;
    std::vector<MelSpectrogram> windows_out_;
    std::size_t pushed_ = 0;
};

}  // namespace prism::media
