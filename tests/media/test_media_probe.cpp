// probe_media_file: a sound's or a video's length and kind from its container header, checked
// against ffprobe's format duration (tests/data/video/ffprobe_durations.tsv, written by
// tools/make_probe_references.sh with the same FFmpeg release). Bad input is a one-line
// MediaError naming the file.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "media_test_data.hpp"
#include "prism/media/probe.hpp"
#include "support/special_files.hpp"

namespace prism::media {
namespace {

struct Reference {
    std::string file;
    double duration = 0;
    int width = 0, height = 0;
};

std::vector<Reference> ffprobe_references() {
    std::ifstream in(std::string(PRISM_TEST_DATA_DIR) + "/video/ffprobe_durations.tsv");
    std::vector<Reference> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        Reference r;
        fields >> r.file >> r.duration >> r.width >> r.height;
        out.push_back(r);
    }
    return out;
}

std::string probe_error(const std::filesystem::path& path) {
    try {
        probe_media_file(path);
        return "";
    } catch (const MediaError& e) {
        return e.what();
    }
}

TEST(MediaProbe, LengthAndPictureSizeMatchFfprobe) {
    const std::vector<Reference> references = ffprobe_references();
    ASSERT_GE(references.size(), 8u) << "tests/data/video/ffprobe_durations.tsv is missing";
    for (const Reference& r : references) {
        SCOPED_TRACE(r.file);
        const MediaInfo info =
            probe_media_file(std::filesystem::path(PRISM_TEST_DATA_DIR) / r.file);
        // The same library computes both; ffprobe prints microseconds.
        EXPECT_NEAR(info.duration_seconds, r.duration, 1e-6);
        EXPECT_EQ(info.has_video, r.width > 0);
        EXPECT_EQ(info.width, r.width);
        EXPECT_EQ(info.height, r.height);
        EXPECT_FALSE(info.format.empty());
    }
}

TEST(MediaProbe, TellsSoundFromVideo) {
    const std::filesystem::path data(PRISM_TEST_DATA_DIR);
    const MediaInfo sound = probe_media_file(data / "audio/jfk.wav");
    EXPECT_TRUE(sound.has_audio);
    EXPECT_FALSE(sound.has_video);
    EXPECT_EQ(sound.format, "WAV");
    const MediaInfo silent_video = probe_media_file(data / "video/colours_h264.mkv");
    EXPECT_TRUE(silent_video.has_video);
    EXPECT_FALSE(silent_video.has_audio);
    const MediaInfo video = probe_media_file(data / "video/colours_h264_aac.mp4");
    EXPECT_TRUE(video.has_video);
    EXPECT_TRUE(video.has_audio);
}

TEST(MediaProbe, BadFilesAreOneLineErrorsNamingTheFile) {
    const test::TempFolder folder("prism-probe");
    const std::filesystem::path data(PRISM_TEST_DATA_DIR);
    const auto check = [](const std::filesystem::path& path, const std::string& part) {
        const std::string error = probe_error(path);
        EXPECT_EQ(error.rfind(path.string() + ": ", 0), 0u) << error;
        EXPECT_NE(error.find(part), std::string::npos) << error;
        EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    };
    const std::vector<std::uint8_t> wav = test::read_bytes(data / "audio/jfk.wav");
    check(folder.write("cut.wav", {wav.data(), wav.size() / 3}), "truncated");
    const std::vector<std::uint8_t> mp4 = test::read_bytes(data / "video/colours_h264_aac.mp4");
    check(folder.write("cut.mp4", {mp4.data(), mp4.size() / 2}), "truncated");
    check(data / "vlm/llava/image.png", "not a sound or video file");
    check(data / "vlm/llava/image.png", "the file is a PNG image");
    check(folder.write("empty.wav", {}), "empty");
    check(folder / "missing.wav", "cannot open");
    check(folder.path(), "not a regular file");
    const std::filesystem::path fifo = folder.fifo("pipe.wav");
    const std::string error = test::error_without_blocking([&] { probe_media_file(fifo); }, fifo);
    EXPECT_NE(error.find("pipe.wav"), std::string::npos) << error;
}

}  // namespace
}  // namespace prism::media
