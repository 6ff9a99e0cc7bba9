// Video files become pictures sampled at known times: every clip shows one colour per second, so
// each sampled picture is checked against the second it claims to show.

#include <gtest/gtest.h>

#include <cmath>

#include "media_test_data.hpp"
#include "prism/media/video.hpp"
#include "video_test_data.hpp"

namespace prism::media {
namespace {

using test::dominant_colour;
using test::video_fixture;

// Solid colours survive the codecs within this many levels per channel of the picture's mean
// (measured: at most 2 for H.264 at CRF 30, MPEG-4 at q 10 and VP9 at 50 kb/s on these clips);
// the nearest other palette colour is 255 levels away.
constexpr int kColourTolerance = 8;

void expect_colours_by_second(const Video& video) {
    for (const VideoFrame& frame : video.frames) {
        SCOPED_TRACE(video.name + " at " + std::to_string(frame.seconds) + " s");
        const auto colour = dominant_colour(frame.image);
        EXPECT_EQ(colour.index, static_cast<int>(std::floor(frame.seconds + 1e-6)) % 6);
        EXPECT_LE(colour.distance, kColourTolerance);
    }
}

struct Clip {
    const char* file;
    const char* codec;
    bool sound;
};

TEST(VideoDecode, EachSecondIsTheRightPictureInEveryContainer) {
    const Clip clips[] = {{"colours_h264_aac.mp4", "h264", true},
                          {"colours_vp9_opus.webm", "vp9", true},
                          {"colours_h264.mkv", "h264", false},
                          {"colours_mpeg4.mov", "mpeg4", false}};
    for (const Clip& clip : clips) {
        SCOPED_TRACE(clip.file);
        const Video video = decode_video_file(video_fixture(clip.file));
        EXPECT_EQ(video.codec, clip.codec);
        EXPECT_NEAR(video.duration_seconds, 6.0, 0.05);
        EXPECT_EQ(video.width, 64);
        EXPECT_EQ(video.height, 48);
        ASSERT_EQ(video.frames.size(), 6u);
        for (std::size_t i = 0; i < 6; ++i) {
            EXPECT_DOUBLE_EQ(video.frames[i].seconds, static_cast<double>(i));
            EXPECT_EQ(video.frames[i].image.width, 64);
            EXPECT_EQ(video.frames[i].image.height, 48);
        }
        expect_colours_by_second(video);
        // The sound track, when there is one, through the audio decoder: 16 kHz mono, as long
        // as the picture; FFmpeg's 440 Hz sine has amplitude 1/8.
        ASSERT_EQ(video.audio.has_value(), clip.sound);
        if (clip.sound) {
            EXPECT_EQ(video.audio->sample_rate, 16000);
            EXPECT_NEAR(video.audio->duration_seconds(), 6.0, 0.1);
            EXPECT_NEAR(video.audio->peak, 0.125f, 0.05f);
        }
    }
}

TEST(VideoDecode, MemoryGivesTheSameAsTheFile) {
    const auto path = video_fixture("colours_vp9_opus.webm");
    const Video from_file = decode_video_file(path);
    const auto bytes = test::read_bytes(path);
    const Video from_memory = decode_video_memory(bytes, "clip");
    EXPECT_EQ(from_memory.name, "clip");
    ASSERT_EQ(from_memory.frames.size(), from_file.frames.size());
    for (std::size_t i = 0; i < from_file.frames.size(); ++i)
        EXPECT_EQ(from_memory.frames[i].image.rgb, from_file.frames[i].image.rgb);
    ASSERT_TRUE(from_memory.audio && from_file.audio);
    EXPECT_EQ(from_memory.audio->samples, from_file.audio->samples);
}

TEST(VideoDecode, RateAndCapPickTheTimes) {
    VideoSampling two_per_second;
    two_per_second.frames_per_second = 2;
    EXPECT_EQ(video_sample_times(6, two_per_second).size(), 12u);
    EXPECT_DOUBLE_EQ(video_sample_times(6, two_per_second)[3], 1.5);
    // 6.2 s at 1 per second: 0..6 (the picture at 6 s is still on screen).
    EXPECT_EQ(video_sample_times(6.2, {}).size(), 7u);
    // 100 s at 1 per second under a cap of 4: spread over the whole video.
    VideoSampling capped;
    capped.max_frames = 4;
    EXPECT_EQ(video_sample_times(100, capped), (std::vector<double>{0, 25, 50, 75}));
    // A single picture (no stated length) is one sample.
    EXPECT_EQ(video_sample_times(0, {}), (std::vector<double>{0}));

    VideoSampling bad;
    bad.frames_per_second = 0;
    EXPECT_THROW(video_sample_times(6, bad), Error);
    bad.frames_per_second = std::nan("");
    EXPECT_THROW(video_sample_times(6, bad), Error);
    bad = {};
    bad.max_frames = 0;
    EXPECT_THROW(video_sample_times(6, bad), Error);
}

TEST(VideoDecode, TheCapSpreadsFramesOverTheWholeFile) {
    VideoSampling sampling;
    sampling.max_frames = 3;
    const Video video = decode_video_file(video_fixture("colours_h264_aac.mp4"), sampling);
    ASSERT_EQ(video.frames.size(), 3u);
    EXPECT_DOUBLE_EQ(video.frames[1].seconds, 2.0);
    EXPECT_DOUBLE_EQ(video.frames[2].seconds, 4.0);
    expect_colours_by_second(video);

    sampling = {};
    sampling.frames_per_second = 2.5;  // more often than once a second: 15 pictures
    const Video dense = decode_video_file(video_fixture("colours_mpeg4.mov"), sampling);
    ASSERT_EQ(dense.frames.size(), 15u);
    EXPECT_DOUBLE_EQ(dense.frames[3].seconds, 1.2);
    expect_colours_by_second(dense);
}

TEST(VideoDecode, SamplingALongVideoSeeksInsteadOfDecodingEveryFrame) {
    // 30 s at 10 pictures a second, a keyframe every second.
    VideoSampling sampling;
    sampling.max_frames = 3;
    const Video video = decode_video_file(video_fixture("colours_30s.mp4"), sampling);
    ASSERT_EQ(video.frames.size(), 3u);
    expect_colours_by_second(video);  // at 0, 10 and 20 s
    EXPECT_TRUE(video.seeked);
    std::printf("3 samples of 300 pictures: %lld decoded\n",
                static_cast<long long>(video.frames_decoded));
    // Each sample costs at most its keyframe's second (10 pictures) and the decoder's delay.
    EXPECT_LE(video.frames_decoded, 3 * 10 + 5);

    // At one picture a second every keyframe is needed anyway; the samples are still right.
    const Video every_second = decode_video_file(video_fixture("colours_30s.mp4"));
    ASSERT_EQ(every_second.frames.size(), 30u);
    expect_colours_by_second(every_second);
}

TEST(VideoDecode, BigPicturesAreScaledDownAndRotationIsApplied) {
    VideoSampling sampling;
    sampling.max_frame_side = 32;
    const Video small = decode_video_file(video_fixture("colours_h264.mkv"), sampling);
    EXPECT_EQ(small.width, 64);  // the video's own size
    ASSERT_FALSE(small.frames.empty());
    EXPECT_EQ(small.frames[0].image.width, 32);
    EXPECT_EQ(small.frames[0].image.height, 24);
    expect_colours_by_second(small);

    // Coded 64x48 with a white square top-left and a 90 degree display matrix: shown upright
    // (as the ffmpeg tool outputs it) it is 48x64 with the square bottom-left.
    const Video rotated = decode_video_file(video_fixture("colours_rotated.mp4"));
    EXPECT_EQ(rotated.width, 48);
    EXPECT_EQ(rotated.height, 64);
    ASSERT_EQ(rotated.frames.size(), 6u);
    const Image& first = rotated.frames[0].image;
    ASSERT_EQ(first.width, 48);
    ASSERT_EQ(first.height, 64);
    const auto pixel = [&](int x, int y) {
        const auto* p = &first.rgb[(static_cast<std::size_t>(y) * 48 + x) * 3];
        return std::array<int, 3>{p[0], p[1], p[2]};
    };
    for (int c = 0; c < 3; ++c) EXPECT_GT(pixel(3, 60)[c], 200) << "bottom-left is white";
    for (const auto& [x, y] : {std::pair{3, 3}, std::pair{44, 3}, std::pair{44, 60}}) {
        EXPECT_GT(pixel(x, y)[0], 200) << x << "," << y << " is red";
        EXPECT_LT(pixel(x, y)[1], 60) << x << "," << y << " is red";
    }
}

}  // namespace
}  // namespace prism::media
