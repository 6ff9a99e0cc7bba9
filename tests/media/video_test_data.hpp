#pragma once

// The clips of tests/data/video (tools/make_video_fixtures.py): one solid colour per second,
// so a frame's mean colour says which second it shows.

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "prism/media/image.hpp"

namespace prism::test {

inline std::filesystem::path video_fixture(const std::string& name) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "video" / name;
}

// Second i of every clip shows video_colours[i % 6].
inline constexpr std::array<std::array<int, 3>, 6> video_colours = {{
    {255, 0, 0},    // red
    {0, 255, 0},    // lime
    {0, 0, 255},    // blue
    {255, 255, 0},  // yellow
    {255, 0, 255},  // magenta
    {0, 255, 255},  // cyan
}};

// The index of the palette colour nearest to the image's mean colour, and how far the mean is
// from it (the largest channel difference).
struct DominantColour {
    int index = -1;
    int distance = 0;
};

inline DominantColour dominant_colour(const media::Image& image) {
    std::array<double, 3> sum{};
    const std::size_t pixels = image.rgb.size() / 3;
    for (std::size_t i = 0; i < pixels; ++i)
        for (int c = 0; c < 3; ++c) sum[c] += image.rgb[i * 3 + c];
    DominantColour best;
    best.distance = 1 << 30;
    for (int k = 0; k < 6; ++k) {
        int distance = 0;
        for (int c = 0; c < 3; ++c) {
            const int mean = static_cast<int>(sum[c] / static_cast<double>(pixels) + 0.5);
            distance = std::max(distance, std::abs(mean - video_colours[k][c]));
        }
        if (distance < best.distance) best = {k, distance};
    }
    return best;
}

}  // namespace prism::test
