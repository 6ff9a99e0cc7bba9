#pragma once

// What one request may ask of the server. Each cap is checked while the request is read, before
// any GPU work, and a request over one is refused with a 400 (413 for the body) that names it.

#include <cstddef>
#include <cstdint>

namespace prism::server {

struct ServerLimits {
    // Whole request body (JSON or multipart), base64 images and audio included.
    std::size_t max_body_bytes = 32u << 20;
    std::size_t max_messages = 512;
    // Images in one request, all messages together; each image's encoded bytes and pixels.
    std::size_t max_images = 8;
    std::uint64_t max_image_bytes = 16u << 20;
    std::int64_t max_image_pixels = 4096ll * 4096;
    // One sound (an input_audio part or a transcription's file): encoded bytes and length.
    std::uint64_t max_audio_bytes = 25u << 20;
    double max_audio_seconds = 600;
    // max_tokens a request may ask for; a request without one gets this many at most.
    std::int64_t max_tokens = 4096;
    // OpenAI's own limits on stop sequences.
    std::size_t max_stop_strings = 4;
    std::size_t max_stop_bytes = 256;
    // Requests waiting for the GPU (the one generating not counted); more are refused with 503.
    std::size_t queue_depth = 16;
};

}  // namespace prism::server
