#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/media/image.hpp"  // prism::MediaError

namespace prism::media {

// Every audio model Prism runs takes 16 kHz mono.
inline constexpr int audio_sample_rate = 16000;

// Decoded sound: 16 kHz mono float, nominally in [-1, 1].
struct Audio {
    std::vector<float> samples;
    int sample_rate = audio_sample_rate;
    std::string name;  // file name or caller label, used in error messages

    // What the file held before resampling and downmixing.
    int source_sample_rate = 0;
    int source_channels = 0;
    std::string source_codec;  // FFmpeg's codec name: "pcm_s16le", "mp3float", "opus", ...

    // The largest |sample|. Silence is not an error at decode level: a silent file decodes to
    // zeros with peak 0, and callers decide whether to say "the file is silent".
    float peak = 0;

    // Wall time decode_audio_* took (0 for sound made otherwise), so that a session can report
    // what a prompt's sound cost from the file on.
    double decode_seconds = 0;

    double duration_seconds() const {
        return static_cast<double>(samples.size()) / static_cast<double>(sample_rate);
    }
};

struct AudioDecodeLimits {
    // Longer sound is refused: checked against the length the container declares before
    // decoding, and against the decoded length while decoding, so memory stays bounded
    // (2 hours of 16 kHz float is 460 MB).
    double max_seconds = 2.0 * 60 * 60;
    std::uint64_t max_bytes = 4ull << 30;  // size of the encoded file / buffer
};

// WAV (PCM 8/16/24/32-bit integer and 32/64-bit float), MP3, FLAC, Ogg Vorbis, Opus, M4A/AAC,
// ADTS AAC, and the sound track of MP4, MOV, Matroska, WebM and AVI videos, recognised by
// content (the file's extension is ignored). Any sample rate from 1 kHz to 768 kHz and up to
// 64 channels, mixed to mono as the ffmpeg tool does for integer output (stereo: the mean of
// the two; channels without names count equally) and converted to 16 kHz by libswresample.
// Only regular files are read, streamed rather than loaded whole.
// Throws MediaError (what() starts with the file name) for a file that cannot be read, is
// empty, not audio, holds no sound track, is corrupt or truncated, or is over a limit.
Audio decode_audio_file(const std::filesystem::path& path, const AudioDecodeLimits& limits = {});
// The same for bytes in memory (a recording); `name` labels the errors.
Audio decode_audio_memory(std::span<const std::uint8_t> bytes, std::string_view name,
                          const AudioDecodeLimits& limits = {});

}  // namespace prism::media
