#pragma once

// How a video in a message is shown to a vision model within a token budget: which of its
// sampled pictures, at what size, and what that costs. Session::plan_video makes one before
// anything is encoded; the message's video part expands by it.

#include <cstdint>
#include <string>
#include <vector>

#include "prism/value_range.hpp"

namespace prism {

// MessagePart::video_tokens and Session::plan_video's budget: 0 is half the context.
namespace video_plan_limits {
inline constexpr ValueRange token_budget{0.0, 2147483647.0};
}  // namespace video_plan_limits

// "[00:12]", "[59:59]", "[1:02:03]": a picture's time as a video's prompt writes it (also what
// the app sends a server before each picture of a video).
std::string video_timestamp(double seconds);

struct VideoPlan {
    std::int64_t budget = 0;  // tokens the video may use
    // The pictures the model sees, as indices into the video's frames, in time order.
    std::vector<std::size_t> frames;
    // Each picture's size as handed to the vision encoder's preprocessing (smaller than the
    // decoded picture when that saves tokens under the model's rule).
    std::int32_t frame_width = 0, frame_height = 0;
    std::int64_t tokens_per_frame = 0;  // prompt rows of one picture, its markers included
    std::int64_t text_tokens = 0;       // the timestamps written before the pictures
    // The prompt rows of the video's own sound (markers included), for models that hear; 0
    // when none goes into the prompt.
    std::int64_t audio_tokens = 0;
    // frames * tokens_per_frame + text_tokens + audio_tokens: what the video adds to the
    // prompt, at most the budget.
    std::int64_t total_tokens = 0;
};

}  // namespace prism
