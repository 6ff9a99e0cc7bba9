#pragma once

// A video part of a message as the parts a vision model reads: for each chosen picture its
// time as text ("[00:12] "), the picture, then a line break, within a token budget. The plan
// trades picture size against picture count with the model's own costs, so it is exact for
// the model at hand.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "prism/media/video.hpp"
#include "prism/message_part.hpp"
#include "prism/video_plan.hpp"

namespace prism::session {

using prism::video_timestamp;

// What the model at hand charges.
struct VideoCosts {
    // Prompt rows of one picture of width x height (the vision layout's markers included).
    std::function<std::int64_t(std::int32_t width, std::int32_t height)> picture_rows;
    // Tokens of a piece of message text.
    std::function<std::int64_t(std::string_view text)> text_tokens;
    // Prompt rows of a stretch of the video's sound, `samples` long (markers included; 0 for a
    // stretch too short for one row, which is left out). Empty for a model that does not hear:
    // the plan then counts no sound.
    std::function<std::int64_t(std::size_t samples)> sound_rows;
};

// The budget covers the pictures, their times and, with costs.sound_rows and a sound track, the
// sound cut between the chosen pictures (fewer pictures: fewer stretches, so fewer markers).
// Pictures are made smaller before any is left out, down to kMinPlannedSide on the longer side
// (or the picture's own size): below that a model reads little from a frame, so fewer frames
// are kept instead. Throws Error naming the video when not even one picture fits the budget.
inline constexpr std::int32_t kMinPlannedSide = 224;
VideoPlan plan_video(const media::Video& video, std::int64_t budget, const VideoCosts& costs);

// The parts the video stands for under `plan` (pictures scaled to the plan's size). With
// `with_sound` and a sound track, each picture is followed by the sound from its time to the
// next picture's (the last: to the end), so that sight and sound stay in time order.
std::vector<MessagePart> expand_video(const media::Video& video, const VideoPlan& plan,
                                      bool with_sound);

// The length in samples of each stretch of sound expand_video(..., true) puts in, in order
// (none without a sound track).
std::vector<std::size_t> video_sound_samples(const media::Video& video, const VideoPlan& plan);
// The same for pictures `frames` (indices into video.frames, in time order).
std::vector<std::size_t> video_sound_samples(const media::Video& video,
                                             const std::vector<std::size_t>& frames);

}  // namespace prism::session
