// Bad video input is a one-line MediaError that starts with the file name (or the caller's
// label) and says what is wrong; nothing crashes, hangs or grows past the limits. A video
// without sound is not an error.

#include <gtest/gtest.h>

#include <random>

#include "audio_test_data.hpp"
#include "media_test_data.hpp"
#include "prism/media/video.hpp"
#include "support/mutants.hpp"
#include "support/special_files.hpp"
#include "video_test_data.hpp"

namespace prism::media {
namespace {

using test::video_fixture;

std::string memory_error(std::span<const std::uint8_t> bytes, const std::string& name,
                         const VideoDecodeLimits& limits = {}) {
    try {
        decode_video_memory(bytes, name, {}, limits);
        return "";
    } catch (const MediaError& e) {
        return e.what();
    }
}

std::string file_error(const std::filesystem::path& path, const VideoDecodeLimits& limits = {}) {
    try {
        decode_video_file(path, {}, limits);
        return "";
    } catch (const MediaError& e) {
        return e.what();
    }
}

void expect_error(const std::string& message, const std::string& name, const std::string& part) {
    EXPECT_EQ(message.rfind(name + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(VideoDecodeErrors, EmptyAndMissingFiles) {
    const test::TempFolder dir("prism-video-empty");
    const auto path = dir.write("empty.mp4", {});
    expect_error(file_error(path), path.string(), "the file is empty");
    expect_error(memory_error({}, "camera"), "camera", "the file is empty");
    const auto missing = video_fixture("does_not_exist.mp4");
    expect_error(file_error(missing), missing.string(), "No such file");
}

TEST(VideoDecodeErrors, OnlyRegularFilesAreRead) {
    const test::TempFolder dir("prism-video-special");
    expect_error(file_error(dir.path()), dir.path().string(), "not a regular file");
    const auto fifo = dir.fifo("pipe.mp4");
    const std::string message =
        test::error_without_blocking([&] { decode_video_file(fifo); }, fifo);
    expect_error(message, fifo.string(), "not a regular file");
    expect_error(file_error("/dev/zero"), "/dev/zero", "not a regular file");
}

TEST(VideoDecodeErrors, SoundFilesAndImagesAreNotVideos) {
    // A WAV is not a video container at all; an M4A is (MP4) but holds no picture.
    const auto wav = test::audio_fixture("jfk.wav");
    expect_error(file_error(wav), wav.string(), "not a video format Prism reads");
    const auto m4a = test::audio_fixture("speech_44k_stereo.m4a");
    expect_error(file_error(m4a), m4a.string(), "the file has no video stream");
    const auto png = test::image_fixture("cat.png");
    expect_error(file_error(png), png.string(), "not a video format Prism reads");
    std::vector<std::uint8_t> garbage(4096);
    std::mt19937 random(11);
    for (auto& b : garbage) b = std::uint8_t(random());
    expect_error(memory_error(garbage, "noise.mp4"), "noise.mp4", "not a recognised video file");
}

TEST(VideoDecodeErrors, AVideoWithoutSoundHasNoAudio) {
    const Video video = decode_video_file(video_fixture("colours_h264.mkv"));
    EXPECT_FALSE(video.audio.has_value());
    EXPECT_EQ(video.frames.size(), 6u);
    // And sound can be left out of a video that has it.
    VideoSampling pictures_only;
    pictures_only.audio = false;
    EXPECT_FALSE(
        decode_video_file(video_fixture("colours_h264_aac.mp4"), pictures_only).audio.has_value());
}

TEST(VideoDecodeErrors, TruncatedFilesAreRefused) {
    for (const char* file : {"colours_h264_aac.mp4", "colours_vp9_opus.webm", "colours_h264.mkv",
                             "colours_mpeg4.mov"}) {
        const auto bytes = test::read_bytes(video_fixture(file));
        for (int k = 1; k < 16; ++k) {
            SCOPED_TRACE(std::string(file) + " cut at " + std::to_string(k) + "/16");
            expect_error(memory_error({bytes.data(), bytes.size() * k / 16}, file), file, "");
        }
        expect_error(memory_error({bytes.data(), bytes.size() / 2}, file), file, "truncated");
    }
}

TEST(VideoDecodeErrors, OverTheLimits) {
    const auto path = video_fixture("colours_h264_aac.mp4");
    VideoDecodeLimits limits;
    limits.max_seconds = 5;
    EXPECT_EQ(file_error(path, limits),
              path.string() + ": the video lasts 6.00 s, over the limit of 5.00 s");
    limits = {};
    limits.max_bytes = 1000;
    expect_error(file_error(path, limits), path.string(), "over the limit of 1000 bytes");
    limits = {};
    limits.max_pixels = 1000;
    EXPECT_EQ(file_error(path, limits),
              path.string() + ": the picture is 64x48 pixels, over the limit of 1000 pixels");
    // The default cap is stated: two hours.
    EXPECT_EQ(VideoDecodeLimits{}.max_seconds, 7200.0);
}

// Seeded mutants of every clip: bit flips anywhere and in the first 512 bytes (the headers),
// and cuts. Each decodes or is refused with a MediaError naming the file.
TEST(VideoDecodeErrors, MutantsNeverCrash) {
    const char* files[] = {"colours_h264_aac.mp4", "colours_vp9_opus.webm", "colours_h264.mkv",
                           "colours_mpeg4.mov", "colours_rotated.mp4"};
    VideoDecodeLimits limits;
    limits.max_seconds = 60;
    std::mt19937 random(20261207);
    int mutants = 0, decoded = 0;
    for (const char* file : files) {
        const auto original = test::read_bytes(video_fixture(file));
        for (int i = 0; i < 30; ++i, ++mutants) {
            const auto bytes = test::seeded_mutant(original, i, random);
            const std::string name = std::string("mutant-") + file;
            try {
                const Video video = decode_video_memory(bytes, name, {}, limits);
                ++decoded;
                EXPECT_FALSE(video.frames.empty());
                EXPECT_LE(video.frames.size(), 32u);
            } catch (const MediaError& e) {
                EXPECT_EQ(std::string(e.what()).rfind(name + ": ", 0), 0u) << e.what();
            }
        }
    }
    EXPECT_EQ(mutants, 150);
    std::printf("video mutants: %d, decoded %d, refused %d\n", mutants, decoded, mutants - decoded);
}

}  // namespace
}  // namespace prism::media
