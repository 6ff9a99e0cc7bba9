#pragma once

// The flags `run` and `chat` share, named as llama.cpp's tools name them.

#include <string>
#include <vector>

#include "prism/media/video.hpp"
#include "prism/session.hpp"

namespace prism::cli {

struct GenerationFlags {
    std::string model;
    std::string prompt;
    bool prompt_given = false;
    std::string system;
    std::vector<std::string> images;      // run: --image, in order
    std::vector<std::string> sounds;      // run: --audio, in order
    std::string video;                    // run: --video
    media::VideoSampling video_sampling;  // --video-fps, --video-frames (run and chat's /video)
    std::int64_t video_tokens = 0;        // --video-tokens; 0: half the context
    bool raw = false;
    SessionOptions session;
    GenerateOptions generate;
};

// Parses args for `command`; throws Error for an unknown flag or a bad value. Returns false
// when help was asked for (and printed).
bool parse_generation_flags(const std::string& command, const std::vector<std::string>& args,
                            GenerationFlags& flags);

// Load with a progress line on stderr (when stderr is a terminal).
Session load_session(const GenerationFlags& flags);

// The user message of `run`: each "<image>" in the prompt is the next --image and each
// "<audio>" the next --audio; a kind without any marker comes first (images, then sounds),
// then the text. Throws Error when the counts differ or a file cannot be read (naming it).
std::vector<MessagePart> prompt_parts(const std::string& prompt,
                                      const std::vector<std::string>& images,
                                      const std::vector<std::string>& sounds);

// A sound file decoded for a message (Error naming the file when it cannot be).
MessagePart sound_part(const std::string& path);

// "prompt: 12 tokens (8 reused) in ..." lines on stderr.
void print_timings(const Session& session, const Timings& t);

}  // namespace prism::cli
