// models::check_vision_encoder: everything the vision encoder's constructor checks, on the
// host alone (tests/models/test_vision_encoder.cpp compares its errors with the
// constructor's on a device).

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/vision_encoder.hpp"

namespace prism::models {
namespace {

namespace fs = std::filesystem;

const fs::path kData = PRISM_TEST_DATA_DIR;

TEST(CheckVisionEncoder, AcceptsEveryFixtureMmproj) {
    const struct {
        const char* path;
        ProjectorType projector;
        std::int64_t output_dim;
    } cases[] = {
        {"vlm/smolvlm/mmproj.gguf", ProjectorType::idefics3, 64},
        {"vlm/gemma3/mmproj.gguf", ProjectorType::gemma3, 64},
        {"vlm/qwen25vl/mmproj.gguf", ProjectorType::qwen25vl, 64},
        {"vlm/llava/mmproj.gguf", ProjectorType::mlp, 64},
        {"vision/qwen2vl/mmproj.gguf", ProjectorType::qwen2vl, 48},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.path);
        const VisionHParams h = check_vision_encoder(gguf::File::open(kData / c.path));
        EXPECT_EQ(h.projector, c.projector);
        EXPECT_EQ(h.output_dim, c.output_dim);
    }
}

// A text model is not an mmproj; the error names the file, as the constructor's does.
TEST(CheckVisionEncoder, RefusesATextModelNamingIt) {
    const gguf::File text = gguf::File::open(kData / "vlm" / "smolvlm" / "text.gguf");
    try {
        check_vision_encoder(text);
        FAIL() << "a text model passed as an mmproj";
    } catch (const FormatError& e) {
        const std::string what = e.what();
        EXPECT_EQ(what.rfind(text.name(), 0), 0u) << what;
        EXPECT_NE(what.find("not an mmproj"), std::string::npos) << what;
    }
}

// Damaged mmproj files on which tests/fuzz/fuzz_mmproj found undefined behaviour while the
// clip.* values were read (before any tensor is looked at): now a one-line FormatError that
// names the file and the value.
TEST(CheckVisionEncoder, DamagedPreprocessingValuesNameTheFile) {
    const struct {
        const char* file;
        const char* problem;
    } cases[] = {
        // patch_size x spatial merge overflowed the 32-bit alignment and 64-bit pixel bounds
        {"qwen25vl_patch_size_67108866.gguf", "dynamic size beyond 16384x16384 pixels"},
        // preproc_image_size made the refined image's sides overflow
        {"idefics3_longest_edge_2147483647.gguf", "longest edge 2147483647 is outside 0..16384"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        const gguf::File file = gguf::File::open(kData / "fuzz" / "mmproj" / c.file);
        for (const auto& read : {read_vision_hparams, check_vision_encoder}) {
            try {
                read(file);
                ADD_FAILURE() << "accepted";
            } catch (const FormatError& e) {
                const std::string what = e.what();
                EXPECT_EQ(what.rfind(file.name() + ": image preprocessing: ", 0), 0u) << what;
                EXPECT_NE(what.find(c.problem), std::string::npos) << what;
            }
        }
    }
}

}  // namespace
}  // namespace prism::models
