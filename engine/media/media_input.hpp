#pragma once

// What the image and audio decoders share around FFmpeg: their error messages and the custom
// AVIOContext through which FFmpeg reads the caller's bytes or file.

#include <cstdint>
#include <string>
#include <string_view>

#include "media/ffmpeg_handles.hpp"

namespace prism::media::detail {

// Throws MediaError("<name>: <what>").
[[noreturn]] void fail(std::string_view name, const std::string& what);

// What FFmpeg said, for messages: its own log line when it wrote one, else the error code.
std::string ffmpeg_reason(int code);

// Refuses empty input and input over `max_bytes`, naming both sizes.
void check_input_size(std::string_view name, std::uint64_t size, std::uint64_t max_bytes);

// "2 h", "1 h 30 min", "12 min 5 s", "3.5 s": durations in messages.
std::string describe_seconds(double seconds);

// An AVIOContext (64 KiB buffer, read-only) over a reader's callbacks; `opaque` is the reader.
IoContextPtr make_custom_io(void* opaque, int (*read)(void*, std::uint8_t*, int),
                            std::int64_t (*seek)(void*, std::int64_t, int));

// Opens the container read through `io` with the probed demuxer `input` (FFmpeg may use only
// the demuxers in `whitelist`, comma-separated) and reads its stream information. Failures
// name the file and its format `label`; a header cut short is reported as such when
// `header_cut_short_message` (audio files, whose truncation users most often meet).
FormatContextPtr open_probed_container(AVIOContext& io, const AVInputFormat* input,
                                       const std::string& whitelist, std::string_view label,
                                       std::string_view name,
                                       bool header_cut_short_message = false);

}  // namespace prism::media::detail
