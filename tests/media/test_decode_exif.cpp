// EXIF orientation 1..8: each fixture stores a four-quadrant picture (red, green / blue, white)
// turned so that honouring its orientation tag makes it upright again.

#include <gtest/gtest.h>

#include <cstdlib>

#include "media_test_data.hpp"
#include "prism/media/image.hpp"

namespace prism::media {
namespace {

class ExifOrientation : public ::testing::TestWithParam<int> {};

TEST_P(ExifOrientation, ComesOutUpright) {
    const std::string file = "orient_" + std::to_string(GetParam()) + ".jpg";
    const Image image = decode_image_file(test::image_fixture(file));
    ASSERT_EQ(image.width, 32) << file;
    ASSERT_EQ(image.height, 24) << file;
    struct Probe {
        int x, y;
        std::uint8_t r, g, b;
    };
    // Quadrant centres, away from the JPEG ringing at the colour edges.
    for (const Probe& p : {Probe{8, 6, 255, 0, 0}, Probe{24, 6, 0, 255, 0}, Probe{8, 18, 0, 0, 255},
                           Probe{24, 18, 255, 255, 255}}) {
        const std::uint8_t* px = &image.rgb[(std::size_t(p.y) * 32 + p.x) * 3];
        // JPEG at quality 95, 4:4:4: solid areas stay within a few levels.
        EXPECT_NEAR(px[0], p.r, 12) << file << " at " << p.x << "," << p.y;
        EXPECT_NEAR(px[1], p.g, 12) << file << " at " << p.x << "," << p.y;
        EXPECT_NEAR(px[2], p.b, 12) << file << " at " << p.x << "," << p.y;
    }
}

INSTANTIATE_TEST_SUITE_P(AllEight, ExifOrientation, ::testing::Range(1, 9));

}  // namespace
}  // namespace prism::media
