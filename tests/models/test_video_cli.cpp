// `prism-cli run --video` and chat's /video as a user runs them, on the tiny gemma3 vision
// fixture and the colour clips: the plan is printed before the answer, the answer equals the
// Session's for the same message, and bad video requests fail with one line.

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "models/cli_runner.hpp"
#include "prism/media/video.hpp"
#include "prism/session.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

const fs::path kGemma = fs::path(PRISM_TEST_DATA_DIR) / "vlm" / "gemma3";
const fs::path kVideo = fs::path(PRISM_TEST_DATA_DIR) / "video";

std::string files() {
    return "-m '" + (kGemma / "text.gguf").string() + "' --mmproj '" +
           (kGemma / "mmproj.gguf").string() + "' ";
}

TEST(VideoCli, VideoAnswerEqualsTheSessionsAndThePlanIsPrinted) {
    const std::string clip = (kVideo / "colours_h264_aac.mp4").string();
    const CliRun r = run_cli("run " + files() + "--video '" + clip +
                             "' --video-fps 2 --video-tokens 100 -p 'What changes?' -n 6 "
                             "--temp 0 -c 512");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("video " + clip + ": 6.00 s, 64x48 h264, with sound; 12 pictures"),
              std::string::npos)
        << r.err;
    // 18 rows a picture (16 + two markers) and 9 tokens for its time in this byte-level
    // vocabulary: 3 fit in 100 tokens, 4 would take 108.
    EXPECT_NE(r.err.find("video plan: 3 of 12 pictures at 64x48, 18 tokens each + 27 for the "
                         "times = 81 of a 100-token budget"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("image encode: 3 image(s)"), std::string::npos) << r.err;

    SessionOptions o;
    o.n_ctx = 512;
    o.mmproj = kGemma / "mmproj.gguf";
    Session s = Session::load(kGemma / "text.gguf", o);
    media::VideoSampling sampling;
    sampling.frames_per_second = 2;
    s.add_user(
        {MessagePart::of_video(
             std::make_shared<const media::Video>(media::decode_video_file(clip, sampling)), 100),
         MessagePart::of_text("What changes?")});
    GenerateOptions g;
    g.sampling.temperature = 0.0f;
    g.max_tokens = 6;
    EXPECT_EQ(r.out, s.generate(g).text + "\n");
}

TEST(VideoCli, ChatAttachesAVideoToTheNextMessage) {
    const std::string clip = (kVideo / "colours_h264.mkv").string();
    const CliRun r =
        run_cli_with_input("chat " + files() + "--video-tokens 200 -n 2 --temp 0 -c 512",
                           "/video " + clip + "\nWhat changes?\n/video /nonexistent.mp4\n");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("(video " + clip + " attached to the next message)"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("image encode: 6 image(s)"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("error: /nonexistent.mp4: "), std::string::npos) << r.err;
}

TEST(VideoCli, BadVideoRequestsFailWithOneLine) {
    const std::string clip = (kVideo / "colours_h264.mkv").string();
    expect_one_line_error(run_cli("run -m '" + (kGemma / "text.gguf").string() + "' --video '" +
                                  clip + "' -p hi -c 64"),
                          "this model has no vision encoder; load an mmproj");
    expect_one_line_error(run_cli("run " + files() + "--video /nonexistent.mp4 -p hi -c 64"),
                          "/nonexistent.mp4: ");
    const std::string sound = (fs::path(PRISM_TEST_DATA_DIR) / "audio" / "jfk.wav").string();
    expect_one_line_error(run_cli("run " + files() + "--video '" + sound + "' -p hi -c 64"),
                          "not a video format Prism reads");
    expect_one_line_error(run_cli("run " + files() + "--video '" + clip + "' --video-fps 0 -p hi"),
                          "--video-fps: '0' is out of range (greater than 0 and at most 30)");
    expect_one_line_error(
        run_cli("run " + files() + "--video '" + clip + "' --video-tokens -5 -p hi"),
        "--video-tokens: '-5' is out of range");
    // A budget no picture fits: the video decoded (its line), then the plan fails, last.
    const CliRun tight =
        run_cli("run " + files() + "--video '" + clip + "' --video-tokens 3 -p hi -c 64");
    EXPECT_NE(tight.status, 0);
    EXPECT_EQ(tight.out, "");
    const std::string last = tight.err.substr(tight.err.rfind('\n', tight.err.size() - 2) + 1);
    EXPECT_EQ(last.rfind("prism-cli: " + clip + ": one picture of the video takes ", 0), 0u)
        << tight.err;
    expect_one_line_error(run_cli("chat " + files() + "--video '" + clip + "'"),
                          "unknown option '--video'");
}

}  // namespace
}  // namespace prism::test
