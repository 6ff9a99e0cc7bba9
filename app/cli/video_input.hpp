#pragma once

// A video for `run --video` and chat's /video: decoded, planned for the model and described on
// stderr before anything is encoded.

#include <string>

#include "cli/generation_flags.hpp"

namespace prism::cli {

// Decodes the video at `path` with the flags' sampling, plans it within --video-tokens for the
// session's model and prints the plan: the message part for it. Throws Error naming the file.
MessagePart video_part(const Session& session, const GenerationFlags& flags,
                       const std::string& path);

}  // namespace prism::cli
