// FFmpeg's log never reaches stderr: its messages end up in the MediaError instead.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "media_test_data.hpp"
#include "prism/media/image.hpp"

namespace prism::media {
namespace {

// Points file descriptor 2 at a temporary file for its lifetime.
class CaptureStderr {
  public:
    CaptureStderr()
        : path_(std::filesystem::temp_directory_path() /
                ("prism_media_stderr_" + std::to_string(::getpid()))) {
        std::fflush(stderr);
        saved_ = ::dup(2);
        std::FILE* file = std::fopen(path_.c_str(), "w");
        ::dup2(::fileno(file), 2);
        std::fclose(file);
    }
    ~CaptureStderr() {
        restore();
        std::filesystem::remove(path_);
    }
    std::string text() {
        restore();
        std::ifstream in(path_);
        std::stringstream all;
        all << in.rdbuf();
        return all.str();
    }

  private:
    void restore() {
        if (saved_ < 0) return;
        std::fflush(stderr);
        ::dup2(saved_, 2);
        ::close(saved_);
        saved_ = -1;
    }
    std::filesystem::path path_;
    int saved_ = -1;
};

TEST(DecodeQuiet, CorruptImagesWriteNothingToStderr) {
    auto jpeg = test::read_bytes(test::image_fixture("cat.jpg"));
    auto png = test::read_bytes(test::image_fixture("cat.png"));
    for (std::size_t i = jpeg.size() / 3; i < jpeg.size(); i += 7)
        jpeg[i] ^= 0x5A;  // corrupt scan data
    png.resize(png.size() / 2);
    CaptureStderr capture;
    for (const auto* bytes : {&jpeg, &png}) {
        try {
            decode_image_memory(*bytes, "corrupt");
        } catch (const MediaError&) {
        }
    }
    EXPECT_EQ(capture.text(), "");
}

}  // namespace
}  // namespace prism::media
