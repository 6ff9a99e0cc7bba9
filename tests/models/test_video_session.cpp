// A video in a message, end to end on the tiny vision fixtures (tests/data/vlm) and the colour
// clips (tests/data/video): the video part must give the very prompt of the message a person
// would build by hand from the same pictures and "[mm:ss] " times, and the plan made before
// encoding must say what that prompt costs, for every family's image rule.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "models/greedy_options.hpp"
#include "prism/error.hpp"
#include "prism/media/image.hpp"
#include "prism/media/video.hpp"
#include "prism/session.hpp"

namespace prism {
namespace {

namespace fs = std::filesystem;
using test::greedy;

const fs::path kVlm = fs::path(PRISM_TEST_DATA_DIR) / "vlm";
const fs::path kVideo = fs::path(PRISM_TEST_DATA_DIR) / "video";

Session load(const std::string& family) {
    SessionOptions o;
    o.n_ctx = 1024;
    o.validation = true;
    o.mmproj = kVlm / family / "mmproj.gguf";
    return Session::load(kVlm / family / "text.gguf", o);
}

// The message a person would write for the plan: each picture after its time, a line break
// after each, then the question.
std::vector<MessagePart> by_hand(const media::Video& video, const VideoPlan& plan,
                                 const std::string& question) {
    std::vector<MessagePart> parts;
    for (std::size_t i = 0; i < plan.frames.size(); ++i) {
        const media::VideoFrame& frame = video.frames[plan.frames[i]];
        const int s = static_cast<int>(frame.seconds);
        char stamp[32];
        std::snprintf(stamp, sizeof stamp, "%s[%02d:%02d] ", i == 0 ? "" : "\n", s / 60, s % 60);
        parts.push_back(MessagePart::of_text(stamp));
        auto picture = std::make_shared<media::Image>(frame.image);
        if (picture->width != plan.frame_width)
            *picture = media::scale_picture(frame.image, plan.frame_width, plan.frame_height);
        parts.push_back(MessagePart::of_image(std::move(picture)));
    }
    parts.push_back(MessagePart::of_text("\n" + question));
    return parts;
}

std::int64_t prompt_tokens(Session& s, std::vector<MessagePart> parts) {
    s.reset();
    s.add_user(std::move(parts));
    return s.generate(greedy(0)).timings.prompt_tokens;
}

class VideoSession : public ::testing::TestWithParam<std::string> {};

TEST_P(VideoSession, AVideoIsItsPicturesAfterTheirTimes) {
    Session s = load(GetParam());
    const auto video = std::make_shared<const media::Video>(
        media::decode_video_file(kVideo / "colours_h264_aac.mp4"));
    const std::string question = "What changes?";

    // A budget that holds every picture: all six, at their own size.
    const VideoPlan plan = s.plan_video(*video, 900);
    ASSERT_EQ(plan.frames.size(), 6u);
    EXPECT_EQ(plan.frame_width, 64);
    EXPECT_LE(plan.total_tokens, 900);
    EXPECT_EQ(plan.total_tokens, 6 * plan.tokens_per_frame + plan.text_tokens);

    s.add_user({MessagePart::of_video(video, 900), MessagePart::of_text(question)});
    // The message holds the pictures and the times, in order.
    const ChatMessage& message = s.messages().back();
    EXPECT_EQ(message.content.rfind("[00:00] ", 0), 0u) << message.content;
    EXPECT_NE(message.content.find("\n[00:05] "), std::string::npos) << message.content;
    std::size_t pictures = 0;
    for (const MessagePart& part : message.parts) pictures += part.is_image();
    EXPECT_EQ(pictures, 6u);
    const GenerateResult from_video = s.generate(greedy(6));

    s.reset();
    s.add_user(by_hand(*video, plan, question));
    const GenerateResult from_hand = s.generate(greedy(6));
    EXPECT_EQ(from_video.timings.prompt_tokens, from_hand.timings.prompt_tokens);
    EXPECT_EQ(from_video.tokens, from_hand.tokens);
    EXPECT_EQ(from_video.timings.images_encoded, 6);

    // The plan's total is what the video adds to the prompt (its text pieces tokenize alone
    // as they do in the message: a line break and a "[" never merge with their neighbours in
    // these vocabularies).
    const std::int64_t without = prompt_tokens(s, {MessagePart::of_text(question)});
    EXPECT_EQ(from_video.timings.prompt_tokens - without, plan.total_tokens);
}

TEST_P(VideoSession, ATightBudgetKeepsFewerPicturesSpreadOverTheVideo) {
    Session s = load(GetParam());
    const media::Video video = media::decode_video_file(kVideo / "colours_h264_aac.mp4");
    const VideoPlan all = s.plan_video(video, 900);
    // Room for three pictures and their times, not four.
    const std::int64_t budget = all.total_tokens / 2 + 1;
    const VideoPlan plan = s.plan_video(video, budget);
    EXPECT_LE(plan.total_tokens, budget);
    ASSERT_EQ(plan.frames.size(), 3u);
    EXPECT_EQ(plan.frames, (std::vector<std::size_t>{0, 2, 4}));  // 0, 2 and 4 s

    // Not even one picture: refused, naming the video.
    try {
        s.plan_video(video, 3);
        ADD_FAILURE() << "a 3-token budget was planned";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(video.name + ": one picture of the video takes ", 0),
                  0u)
            << e.what();
    }
}

INSTANTIATE_TEST_SUITE_P(Families, VideoSession,
                         ::testing::Values("smolvlm", "gemma3", "qwen25vl", "llava"));

// Qwen's tokens grow with the picture's area: a budget short of the full size makes every
// picture smaller before any is left out, and the prompt costs what the plan says.
TEST(VideoSessionSize, QwenPicturesShrinkToFitTheBudget) {
    Session s = load("qwen25vl");
    const media::Image photo = media::decode_image_file(
        fs::path(PRISM_TEST_DATA_DIR) / "sample-images" / "domestic_dog_640x480.jpg");
    auto video = std::make_shared<media::Video>();
    video->name = "dog.mp4";
    video->duration_seconds = 3;
    for (int i = 0; i < 3; ++i) video->frames.push_back({double(i), photo});

    const VideoPlan full = s.plan_video(*video, 100000);
    EXPECT_EQ(full.frame_width, 640);
    const VideoPlan plan = s.plan_video(*video, full.total_tokens / 3);
    EXPECT_EQ(plan.frames.size(), 3u);
    EXPECT_LT(plan.frame_width, 640);
    EXPECT_GE(plan.frame_width, 224);
    EXPECT_NEAR(double(plan.frame_width) / plan.frame_height, 640.0 / 480.0, 0.02);
    EXPECT_LE(plan.total_tokens, full.total_tokens / 3);

    const std::int64_t with_video = prompt_tokens(
        s,
        {MessagePart::of_video(video, full.total_tokens / 3), MessagePart::of_text("What is it?")});
    const std::int64_t without = prompt_tokens(s, {MessagePart::of_text("What is it?")});
    EXPECT_EQ(with_video - without, plan.total_tokens);
}

TEST(VideoSessionErrors, VideosNeedAVisionEncoderAndAValidBudget) {
    Session text_only =
        Session::load(kVlm / "gemma3" / "text.gguf", {.n_ctx = 64, .validation = true});
    const auto video =
        std::make_shared<const media::Video>(media::decode_video_file(kVideo / "colours_h264.mkv"));
    try {
        text_only.add_user({MessagePart::of_video(video), MessagePart::of_text("look")});
        ADD_FAILURE() << "a text-only session took a video";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "this model has no vision encoder; load an mmproj");
    }
    EXPECT_TRUE(text_only.messages().empty());

    Session s = load("gemma3");
    EXPECT_THROW(s.plan_video(*video, -1), Error);
    MessagePart both = MessagePart::of_video(video);
    both.text = "and text";
    EXPECT_THROW(s.add_user({both}), Error);
    EXPECT_TRUE(s.messages().empty());
}

}  // namespace
}  // namespace prism
