// The session's memory check for an mmproj (session/memory_check) on what tests/fuzz/fuzz_mmproj
// found: it reads the clip.* values before anything checks them against the tensors, so absurd
// values must give a refusal, never an overflow that makes the model look small.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/vision_encoder.hpp"
#include "session/memory_check.hpp"

namespace prism::session {
namespace {

namespace fs = std::filesystem;

const fs::path kData = PRISM_TEST_DATA_DIR;

// The tiny SmolVLM mmproj with clip.vision.image_size 587202576 (patch 2): 8.6e16 patches, whose
// activations at 800 floats each overflowed 64-bit signed arithmetic. Now refused when read.
TEST(VisionMemoryEstimate, AbsurdImageSizeIsRefusedNamingTheFile) {
    const gguf::File text = gguf::File::open(kData / "vlm" / "smolvlm" / "text.gguf");
    const gguf::File mmproj =
        gguf::File::open(kData / "fuzz" / "mmproj" / "idefics3_image_size_587202576.gguf");
    SessionOptions options;
    options.n_ctx = 64;
    options.memory_budget_bytes = 64ull << 30;
    try {
        check_fits(text, models::read_hparams(text), options, gpu::DeviceInfo{}, &mmproj);
        FAIL() << "an mmproj asking for 8.6e16 patches fit in 64 GiB";
    } catch (const FormatError& e) {
        EXPECT_STREQ(
            e.what(),
            (mmproj.name() + ": image preprocessing: image_size 587202576 is over 16384").c_str());
    }
}

// Widths no tensor has confirmed yet (check_fits runs before the encoder's checks) give an
// estimate that saturates rather than wraps to a small number that would fit.
TEST(VisionMemoryEstimate, AbsurdWidthsSaturate) {
    models::VisionHParams h;
    h.projector = models::ProjectorType::idefics3;
    h.n_embd = std::int64_t{1} << 60;
    h.n_ff = std::int64_t{1} << 61;
    h.output_dim = 64;
    h.image_size = 512;
    h.patch_size = 16;
    h.scale_factor = 4;
    EXPECT_EQ(vision_activation_bytes(h), std::uint64_t{1} << 62);
    h.projector = models::ProjectorType::qwen2vl;
    h.n_embd = 1280;
    h.n_ff = 5120;
    h.preprocess.max_pixels = std::int64_t{1} << 62;
    EXPECT_EQ(vision_activation_bytes(h), std::uint64_t{1} << 62);
}

// A real file's estimate is still exact: the tiny SmolVLM's 8x8 patches at 800 floats each
// (13 widths of 32, twice n_ff 64, the output width 64, 3 x 8 x 8 pixels), plus the rows of
// its 2x2 tiles and global image (4 rows of 64 each).
TEST(VisionMemoryEstimate, RealFixtureUnchanged) {
    const gguf::File mmproj = gguf::File::open(kData / "vlm" / "smolvlm" / "mmproj.gguf");
    const models::VisionHParams h = models::read_vision_hparams(mmproj);
    EXPECT_EQ(vision_activation_bytes(h), 4u * (800 * 64 + 5 * 4 * 64));
}

}  // namespace
}  // namespace prism::session
