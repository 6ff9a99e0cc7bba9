#pragma once

// A video for `run --video` and chat's /video: decoded (before the model loads, so that bad
// input fails fast), then planned for the model and described on stderr before anything is
// encoded.

#include <memory>
#include <string>

#include "cli/generation_flags.hpp"
#include "prism/media/video.hpp"

namespace prism::cli {

// Decodes the video at `path` with the flags' sampling and says what it holds on stderr.
// Throws MediaError naming the file.
std::shared_ptr<const media::Video> read_video(const GenerationFlags& flags,
                                               const std::string& path);

// Plans the video within --video-tokens for the session's model and prints the plan: the
// message part for it. Throws Error without a vision encoder or when no picture fits.
MessagePart video_part(const Session& session, const GenerationFlags& flags,
                       std::shared_ptr<const media::Video> video);

}  // namespace prism::cli
