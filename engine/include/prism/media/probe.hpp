#pragma once

// What a sound or video file is, from its container's header alone (no decoding), so that a
// caller can show its length and kind at once; decode_audio_file / decode_video_file read it
// when it is used.

#include <cstdint>
#include <filesystem>
#include <string>

#include "prism/media/image.hpp"  // prism::MediaError

namespace prism::media {

struct MediaInfo {
    // The length the container states (as ffprobe's format duration), or estimates from the
    // bit rate where it states none (an MP3 without a Xing header); 0 when neither is known.
    double duration_seconds = 0;
    bool has_audio = false;
    bool has_video = false;              // a picture stream, not an album's cover picture
    std::int32_t width = 0, height = 0;  // the picture stream's coded size
    std::string format;                  // the container, as messages name it: "MP4/MOV", "WAV"
};

// WAV, MP3, FLAC, Ogg, M4A/AAC, CAF, AIFF and the video containers decode_video_file reads,
// recognised by content. Only regular files are read. Throws MediaError (what() starts with the
// file's path) for a file that cannot be read, is empty, is another kind of file (an image, a
// text), holds neither sound nor picture, or whose container is damaged or cut short.
MediaInfo probe_media_file(const std::filesystem::path& path, std::uint64_t max_bytes = 4ull << 30);

}  // namespace prism::media
