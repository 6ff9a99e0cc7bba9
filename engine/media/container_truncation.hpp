#pragma once

// Truncation that FFmpeg's demuxers do not report. The WAV demuxer takes a file whose 'data'
// chunk runs past the end for a complete shorter one (it estimates the length from the bytes
// present), the MP4 demuxer reads a cut 'moov' box as far as it goes (a sound track described
// after the cut is simply missing), and the Matroska demuxer stops quietly where a cut Segment
// ends. All three containers state their sizes, so a cut is found from them.

#include <cstdint>
#include <optional>
#include <string>

extern "C" {
#include <libavformat/avio.h>
}

namespace prism::media::detail {

struct ContainerTruncation {
    std::string part;                   // what is cut short: "'data' chunk", "'moov' box", ...
    std::int64_t declared_bytes = 0;    // its size
    std::int64_t present_bytes = 0;     // how much of it the file holds
    std::int64_t bytes_per_second = 0;  // a WAV's average byte rate, for messages (0: none)
};

// How a RIFF WAV, an ISO base media file (MP4, M4A, MOV) or a Matroska/WebM file read through
// `io` from its start is cut short, or nothing when it is whole, of another kind, or of
// unknown size (a streamed WAV writes 0 or 0xFFFFFFFF, a live Matroska stream an unknown
// Segment size). Leaves `io` at offset 0.
std::optional<ContainerTruncation> find_container_truncation(AVIOContext& io);

}  // namespace prism::media::detail
