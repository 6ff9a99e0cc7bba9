// libFuzzer entry: arbitrary bytes decoded as a video (container probing, the picture stream,
// seeking, conversion, rotation, the sound track), sampled at two pictures a second, at most
// four, under small caps so that one input takes milliseconds. A MediaError naming the label
// is the expected outcome for bad bytes; anything else escaping, a sanitizer report, more
// pictures than the cap, a picture over the side cap, a hang or unbounded memory is a bug.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>

#include "prism/media/video.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace prism::media;
    VideoSampling sampling;
    sampling.frames_per_second = 2;
    sampling.max_frames = 4;
    sampling.max_frame_side = 64;
    VideoDecodeLimits limits;
    limits.max_seconds = 120;
    limits.max_bytes = 1 << 20;
    limits.max_pixels = 256 * 256;
    try {
        const Video video =
            decode_video_memory(std::span(data, size), "fuzz-video", sampling, limits);
        if (video.frames.empty() || video.frames.size() > 4) std::abort();
        for (const VideoFrame& frame : video.frames) {
            const Image& image = frame.image;
            if (image.width <= 0 || image.height <= 0 || image.width > 64 || image.height > 64 ||
                image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3)
                std::abort();
        }
    } catch (const prism::MediaError& e) {
        if (std::string_view(e.what()).rfind("fuzz-video: ", 0) != 0) std::abort();
    }
    return 0;
}
