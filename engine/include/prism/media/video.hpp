#pragma once

// Video in: a file becomes a few pictures sampled over its length, each with its time, plus its
// sound track. A model sees a video as those pictures (and, if it hears, the sound), never as
// every frame.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/media/audio.hpp"
#include "prism/media/image.hpp"
#include "prism/value_range.hpp"

namespace prism::media {

// What VideoSampling accepts (decode_video_* checks it, prism-cli quotes it).
namespace video_limits {
inline constexpr ValueRange frames_per_second{0.0, 30.0, true};
inline constexpr ValueRange max_frames{1.0, 1024.0};
inline constexpr ValueRange max_frame_side{16.0, 8192.0};
}  // namespace video_limits

struct VideoSampling {
    // Pictures per second of video: sample i is the picture on screen at i / frames_per_second.
    double frames_per_second = 1.0;
    // At most this many pictures; when the rate would give more, they are spread evenly over
    // the whole video instead (sample i at i * duration / max_frames).
    std::int32_t max_frames = 32;
    // A picture whose longer side is over this is scaled down (aspect kept), so that memory
    // stays bounded whatever the video's size: 32 frames of 1024x576 are 57 MB.
    std::int32_t max_frame_side = 1024;
    // Decode the sound track too (through decode_audio_*), when the file has one.
    bool audio = true;
};

struct VideoDecodeLimits {
    // Longer videos are refused: checked against the length the container declares before
    // anything is decoded, and against the times of the pictures while decoding.
    double max_seconds = 2.0 * 60 * 60;
    std::uint64_t max_bytes = 4ull << 30;     // size of the file / buffer
    std::int64_t max_pixels = 8192ll * 8192;  // one picture as coded, before any scaling
};

struct VideoFrame {
    double seconds = 0;  // when the picture is on screen, from the start of the video
    Image image;         // upright (the container's rotation applied), RGB8
};

struct Video {
    std::string name;  // file name or caller label, used in error messages
    double duration_seconds = 0;
    std::int32_t width = 0, height = 0;  // the picture as shown (after rotation), before scaling
    std::string codec;                   // FFmpeg's name: "h264", "vp9", ...
    std::vector<VideoFrame> frames;      // in time order
    std::optional<Audio> audio;          // none: the file has no sound track (not an error)

    // How the pictures were reached: whether the decoder jumped to keyframes near the sample
    // times (containers with an index: MP4, MOV, Matroska/WebM with cues), and how many
    // pictures it decoded in all (every one up to the last sample when it could not seek).
    bool seeked = false;
    std::int64_t frames_decoded = 0;
};

// A picture scaled to width x height by area averaging (libswscale), for frames made smaller to
// fit a token budget: no detail aliases, unlike the encoders' own unfiltered resizes.
Image scale_picture(const Image& image, std::int32_t width, std::int32_t height);

// The times decode_video_* samples for a video of `duration_seconds` (see VideoSampling).
std::vector<double> video_sample_times(double duration_seconds, const VideoSampling& sampling);

// MP4/M4V, MOV, Matroska, WebM, AVI, MPEG-TS/PS, FLV, Ogg (Theora), ASF/WMV: whatever this
// FFmpeg decodes in those containers (H.264, HEVC, VP8, VP9, AV1, MPEG-4 part 2, ...),
// recognised by content (the extension is ignored). Only regular files are read, streamed
// rather than loaded whole. Throws MediaError (what() starts with the file name) for a file
// that cannot be read, is empty, is not a video (an image, a sound file), holds no picture, is
// corrupt or truncated, or is over a limit; and Error for sampling values outside video_limits.
Video decode_video_file(const std::filesystem::path& path, const VideoSampling& sampling = {},
                        const VideoDecodeLimits& limits = {});
// The same for bytes in memory; `name` labels the errors.
Video decode_video_memory(std::span<const std::uint8_t> bytes, std::string_view name,
                          const VideoSampling& sampling = {}, const VideoDecodeLimits& limits = {});

}  // namespace prism::media
