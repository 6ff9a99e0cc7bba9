#pragma once

// Paths and small readers shared by the media tests.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace prism::test {

inline std::filesystem::path image_fixture(const std::string& name) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "images" / name;
}

inline std::filesystem::path sample_image(const std::string& name) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "sample-images" / name;
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw std::runtime_error("cannot open " + path.string());
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The real images of tests/data/sample-images and their sizes as Pillow reports them.
struct SampleImage {
    const char* name;
    int width, height;
};
inline const std::vector<SampleImage>& sample_images() {
    static const std::vector<SampleImage> images = {
        {"camera.png", 512, 512},
        {"chelsea.png", 451, 300},
        {"domestic_dog_640x480.jpg", 640, 480},
        {"page.png", 384, 191},
        {"parkers_bistro_storefront_533x800.jpg", 533, 800},
        {"plotnine_col_bar_chart.png", 640, 480},
        {"rocket.jpg", 640, 427},
    };
    return images;
}

}  // namespace prism::test
