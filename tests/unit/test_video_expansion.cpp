// How a video part becomes message parts (host only): the timestamps, the plan's trade of
// picture size against picture count under given costs, and the sound cut between pictures.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/media/video.hpp"
#include "session/video_expansion.hpp"

namespace prism::session {
namespace {

media::Video video_of(int pictures, int width, int height, double sound_seconds) {
    media::Video video;
    video.name = "clip.mp4";
    video.duration_seconds = pictures;
    for (int i = 0; i < pictures; ++i) {
        media::Image image;
        image.width = width;
        image.height = height;
        image.rgb.assign(static_cast<std::size_t>(width) * height * 3,
                         static_cast<std::uint8_t>(40 * i));
        video.frames.push_back({static_cast<double>(i), std::move(image)});
    }
    if (sound_seconds > 0) {
        media::Audio audio;
        audio.name = video.name;
        for (int i = 0; i < sound_seconds * 16000; ++i) audio.samples.push_back(float(i));
        video.audio = std::move(audio);
    }
    return video;
}

// A model that pays one token per 32x32 pixels and one token per character of text.
VideoCosts area_costs() {
    VideoCosts costs;
    costs.picture_rows = [](std::int32_t w, std::int32_t h) {
        return std::int64_t{w} * h / 1024 + 2;
    };
    costs.text_tokens = [](std::string_view text) {
        return static_cast<std::int64_t>(text.size());
    };
    return costs;
}

TEST(VideoExpansion, Timestamps) {
    EXPECT_EQ(video_timestamp(0), "[00:00]");
    EXPECT_EQ(video_timestamp(12.9), "[00:12]");
    EXPECT_EQ(video_timestamp(3599), "[59:59]");
    EXPECT_EQ(video_timestamp(3723), "[1:02:03]");
    EXPECT_EQ(video_timestamp(-1), "[00:00]");
}

TEST(VideoExpansion, PicturesShrinkBeforeAnyIsLeftOut) {
    const media::Video video = video_of(4, 640, 480, 0);
    // Full size: 300 + 2 rows a picture; texts "[00:00] " (8) + 3 x "\n[00:0k] " (9) + "\n".
    const VideoPlan full = plan_video(video, 100000, area_costs());
    EXPECT_EQ(full.frames.size(), 4u);
    EXPECT_EQ(full.frame_width, 640);
    EXPECT_EQ(full.tokens_per_frame, 302);
    EXPECT_EQ(full.text_tokens, 8 + 3 * 9 + 1);
    EXPECT_EQ(full.total_tokens, 4 * 302 + 36);

    // Half the budget: all four pictures, smaller (0.85^k steps), aspect kept.
    const VideoPlan half = plan_video(video, full.total_tokens / 2, area_costs());
    EXPECT_EQ(half.frames.size(), 4u);
    EXPECT_LT(half.frame_width, 640);
    EXPECT_NEAR(double(half.frame_width) / half.frame_height, 4.0 / 3.0, 0.01);
    EXPECT_LE(half.total_tokens, full.total_tokens / 2);

    // Below what four pictures at 224 pixels cost: fewer pictures, spread, at the floor or
    // above.
    const VideoPlan tight = plan_video(video, 150, area_costs());
    EXPECT_LT(tight.frames.size(), 4u);
    EXPECT_GE(tight.frame_width, kMinPlannedSide);
    EXPECT_LE(tight.total_tokens, 150);
    EXPECT_THROW(plan_video(video, 20, area_costs()), Error);
}

// A model that hears: 100 rows a picture at any size (as Gemma 3 or LLaVA), one token per
// character of text, and 10 rows per second of sound plus 2 markers per stretch.
VideoCosts hearing_costs() {
    VideoCosts costs = area_costs();
    costs.picture_rows = [](std::int32_t, std::int32_t) { return std::int64_t{100}; };
    costs.sound_rows = [](std::size_t samples) {
        return static_cast<std::int64_t>(samples / 1600) + 2;
    };
    return costs;
}

TEST(VideoExpansion, TheBudgetCountsTheSoundOfAModelThatHears) {
    // Pictures at 0, 1, 2 and 3 s; 4 s of sound.
    const media::Video video = video_of(4, 64, 48, 4.0);

    // All four: 4 x 100 rows; "[00:00] " (8) + 3 x "\n[00:0k] " (9) + "\n" (1) = 36; the sound
    // in four 1-s stretches of 10 + 2 rows = 48.
    const VideoPlan all = plan_video(video, 100000, hearing_costs());
    EXPECT_EQ(all.frames.size(), 4u);
    EXPECT_EQ(all.text_tokens, 36);
    EXPECT_EQ(all.audio_tokens, 48);
    EXPECT_EQ(all.total_tokens, 400 + 36 + 48);

    // 436 holds the four pictures without their sound, as a model that does not hear plans.
    VideoCosts deaf = hearing_costs();
    deaf.sound_rows = nullptr;
    const VideoPlan pictures_only = plan_video(video, 436, deaf);
    EXPECT_EQ(pictures_only.frames.size(), 4u);
    EXPECT_EQ(pictures_only.audio_tokens, 0);
    EXPECT_EQ(pictures_only.total_tokens, 436);

    // With the sound, three pictures (0, 1, 2 s): 300 rows; 8 + 9 + 9 + 1 = 27 of text; sound
    // 0-1 s (12), 1-2 s (12), 2-4 s (20 + 2 = 22) = 46; 373 in all.
    const VideoPlan heard = plan_video(video, 436, hearing_costs());
    EXPECT_EQ(heard.frames, (std::vector<std::size_t>{0, 1, 2}));
    EXPECT_EQ(heard.text_tokens, 27);
    EXPECT_EQ(heard.audio_tokens, 46);
    EXPECT_EQ(heard.total_tokens, 373);

    // One picture and the whole sound: 100 + 8 + 1 + (40 + 2) = 151.
    const VideoPlan one = plan_video(video, 151, hearing_costs());
    EXPECT_EQ(one.frames, (std::vector<std::size_t>{0}));
    EXPECT_EQ(one.audio_tokens, 42);
    EXPECT_EQ(one.total_tokens, 151);
    try {
        plan_video(video, 150, hearing_costs());
        ADD_FAILURE() << "a budget under one picture and its sound was accepted";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(),
                     "clip.mp4: one picture of the video and its sound take 109 + 42 tokens, "
                     "more than its budget of 150");
    }
}

TEST(VideoExpansion, PartsAreTimesPicturesAndSoundInTimeOrder) {
    const media::Video video = video_of(3, 64, 48, 3.0);
    VideoPlan plan;
    plan.frames = {0, 2};
    plan.frame_width = 32;
    plan.frame_height = 24;

    const std::vector<MessagePart> silent = expand_video(video, plan, false);
    ASSERT_EQ(silent.size(), 5u);
    EXPECT_EQ(silent[0].text, "[00:00] ");
    ASSERT_TRUE(silent[1].is_image());
    EXPECT_EQ(silent[1].image->width, 32);
    EXPECT_EQ(silent[1].image->rgb[0], 0);
    EXPECT_EQ(silent[2].text, "\n[00:02] ");
    ASSERT_TRUE(silent[3].is_image());
    EXPECT_EQ(silent[3].image->rgb[0], 80);  // picture 2, scaled by area: the same colour
    EXPECT_EQ(silent[4].text, "\n");

    // With sound: after each picture, the sound up to the next picture (the last: to the end).
    const std::vector<MessagePart> heard = expand_video(video, plan, true);
    ASSERT_EQ(heard.size(), 7u);
    ASSERT_TRUE(heard[2].is_audio());
    EXPECT_EQ(heard[2].audio->samples.size(), 32000u);
    EXPECT_EQ(heard[2].audio->samples.front(), 0.0f);
    EXPECT_EQ(heard[3].text, "\n[00:02] ");
    ASSERT_TRUE(heard[5].is_audio());
    EXPECT_EQ(heard[5].audio->samples.size(), 16000u);
    EXPECT_EQ(heard[5].audio->samples.front(), 32000.0f);
    EXPECT_EQ(heard[6].text, "\n");
}

}  // namespace
}  // namespace prism::session
