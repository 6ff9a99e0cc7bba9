// EXIF orientation 1..8: each fixture stores a four-quadrant picture (red, green / blue, white)
// turned so that honouring its orientation tag makes it upright again.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "media_test_data.hpp"
#include "prism/media/image.hpp"

namespace prism::media {
namespace {

class ExifOrientation : public ::testing::TestWithParam<std::string> {};

TEST_P(ExifOrientation, ComesOutUpright) {
    const std::string file = GetParam();
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
        // JPEG at quality 95, 4:4:4: solid areas stay within a few levels (others are exact).
        EXPECT_NEAR(px[0], p.r, 12) << file << " at " << p.x << "," << p.y;
        EXPECT_NEAR(px[1], p.g, 12) << file << " at " << p.x << "," << p.y;
        EXPECT_NEAR(px[2], p.b, 12) << file << " at " << p.x << "," << p.y;
    }
}

// All eight values in JPEG; PNG (eXIf chunk), TIFF (IFD0 tag) and WebP (EXIF chunk) once each.
INSTANTIATE_TEST_SUITE_P(Files, ExifOrientation,
                         ::testing::Values("orient_1.jpg", "orient_2.jpg", "orient_3.jpg",
                                           "orient_4.jpg", "orient_5.jpg", "orient_6.jpg",
                                           "orient_7.jpg", "orient_8.jpg", "orient_6.png",
                                           "orient_8.tiff", "orient_3.webp"),
                         [](const auto& test_param) {
                             std::string name = test_param.param;
                             std::replace(name.begin(), name.end(), '.', '_');
                             return name;
                         });

}  // namespace
}  // namespace prism::media
