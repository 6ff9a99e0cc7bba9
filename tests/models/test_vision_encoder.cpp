// The vision encoders (mmproj): loading and its errors, the Qwen token bookkeeping, and every
// projector type end to end on synthetic files (shapes, determinism) and on the transformers
// fixtures of tests/data/vlm (values).

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/model_files.hpp"
#include "models/vision_files.hpp"
#include "models/vision_layout.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/vision_encoder.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

media::PlanarImage test_image(std::int32_t width, std::int32_t height) {
    media::PlanarImage image{width, height, {}};
    image.data.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
    for (std::size_t i = 0; i < image.data.size(); ++i) {
        image.data[i] = std::sin(0.37f * static_cast<float>(i)) * 0.9f;  // in the normalised range
    }
    return image;
}

std::string load_error(const GgufBuilder& builder, const std::string& name = "edited.gguf") {
    const auto file = gguf::File::from_bytes(builder.bytes(), name);
    try {
        models::VisionEncoder encoder(shared_context(), file);
    } catch (const FormatError& e) {
        return e.what();
    }
    return "";
}

#define EXPECT_HAS(message, part) \
    EXPECT_NE((message).find(part), std::string::npos) << "message: " << (message)

// --- Qwen token order ---------------------------------------------------------------------

TEST(QwenTokenOrder, MergeOrderWithoutWindows) {
    // 4x2 patches, merge 2: cells (0,0) and (0,1), each its 2x2 patches row-major.
    const auto order = models::qwen_token_order(4, 2, 2, 0);
    const std::vector<std::int32_t> y{0, 0, 1, 1, 0, 0, 1, 1}, x{0, 1, 0, 1, 2, 3, 2, 3};
    ASSERT_EQ(order.positions.size(), 32u);
    for (std::size_t t = 0; t < 8; ++t) {
        EXPECT_EQ(order.positions[t], y[t]);       // plane t <- y
        EXPECT_EQ(order.positions[8 + t], x[t]);   // plane h <- x
        EXPECT_EQ(order.positions[16 + t], y[t]);  // plane w <- y
        EXPECT_EQ(order.positions[24 + t], x[t]);  // plane e <- x
    }
    ASSERT_EQ(order.windows.size(), 1u);
    EXPECT_EQ(order.windows[0], std::make_pair(std::int64_t{0}, std::int64_t{8}));
    EXPECT_TRUE(order.window_gather.empty());
}

TEST(QwenTokenOrder, WindowsAreRowMajorWithSmallerEdgeWindows) {
    // 3x3 cells (6x6 patches), windows of 2x2 cells: [0 1 3 4] [2 5] [6 7] [8].
    const auto order = models::qwen_token_order(6, 6, 2, 2);
    const std::vector<std::int32_t> gather{0, 1, 3, 4, 2, 5, 6, 7, 8};
    EXPECT_EQ(order.window_gather, gather);
    for (std::size_t c = 0; c < gather.size(); ++c) {
        EXPECT_EQ(gather[static_cast<std::size_t>(order.window_scatter[c])],
                  static_cast<std::int32_t>(c));
    }
    const std::vector<std::pair<std::int64_t, std::int64_t>> windows{
        {0, 16}, {16, 24}, {24, 32}, {32, 36}};
    EXPECT_EQ(order.windows, windows);
    // Token 16 is the first patch of cell 2 = (row 0, col 2): patch (0, 4).
    EXPECT_EQ(order.positions[16], 0);
    EXPECT_EQ(order.positions[36 + 16], 4);
}

// --- loading and errors -------------------------------------------------------------------

TEST(VisionHParams, ReadsKeysAndTensorShapes) {
    const auto file =
        gguf::File::from_bytes(tiny_mmproj({.projector = "qwen2.5vl_merger"}).bytes(), "q.gguf");
    const auto h = models::read_vision_hparams(file);
    EXPECT_EQ(h.projector, models::ProjectorType::qwen25vl);
    EXPECT_EQ(h.n_embd, 32);
    EXPECT_EQ(h.head_dim, 16);
    EXPECT_EQ(h.activation, ops::Activation::silu);
    EXPECT_TRUE(h.rms_norm);
    EXPECT_EQ(h.n_wa_pattern, 2);
    EXPECT_EQ(h.window_size, 16);
    EXPECT_EQ(h.output_dim, 40);
    EXPECT_EQ(h.preprocess.kind, media::VisionPreprocess::Kind::dynamic_size);
    EXPECT_EQ(h.preprocess.align, 8);
    EXPECT_EQ(h.preprocess.max_pixels, 4096 * 64);
    EXPECT_FLOAT_EQ(h.preprocess.mean[1], 0.5f);

    const auto mlp = models::read_vision_hparams(
        gguf::File::from_bytes(tiny_mmproj({.projector = "mlp"}).bytes(), "m.gguf"));
    EXPECT_EQ(mlp.activation, ops::Activation::gelu_quick);  // neither use_gelu nor use_silu
    EXPECT_EQ(mlp.preprocess.kind, media::VisionPreprocess::Kind::fixed_size);
    EXPECT_EQ(mlp.preprocess.pad_color[0], 122);
}

TEST(VisionHParams, LegacyQwenOmniNameMeansTheQwen25Merger) {
    const auto file =
        gguf::File::from_bytes(tiny_mmproj({.projector = "qwen2.5o"}).bytes(), "omni.gguf");
    EXPECT_EQ(models::read_vision_hparams(file).projector, models::ProjectorType::qwen25vl);
}

class VisionErrors : public GpuTest {};

TEST_F(VisionErrors, TextModelGivenAsMmproj) {
    const std::string m = load_error(tiny_llama(), "text.gguf");
    EXPECT_HAS(m, "text.gguf");
    EXPECT_HAS(m, "not an mmproj");
    EXPECT_HAS(m, "'llama'");
}

TEST_F(VisionErrors, NoVisionEncoder) {
    const std::string m = load_error(tiny_mmproj({.vision = false}));
    EXPECT_HAS(m, "edited.gguf");
    EXPECT_HAS(m, "no vision encoder");
}

TEST_F(VisionErrors, UnsupportedProjectorNamesItAndTheSupportedOnes) {
    const std::string m = load_error(tiny_mmproj({.projector = "pixtral"}));
    EXPECT_HAS(m, "'pixtral' is not supported");
    EXPECT_HAS(m, "idefics3, gemma3, qwen2.5vl_merger, qwen2vl_merger, mlp");
}

TEST_F(VisionErrors, MissingTensorIsNamed) {
    const std::string m = load_error(tiny_mmproj({.omit = "v.blk.1.attn_k.weight"}));
    EXPECT_HAS(m, "edited.gguf");
    EXPECT_HAS(m, "'v.blk.1.attn_k.weight' is missing");
}

TEST_F(VisionErrors, WrongShapeIsNamed) {
    const std::string m =
        load_error(tiny_mmproj({.projector = "gemma3", .wrong_shape = "v.blk.0.ffn_up.weight"}));
    EXPECT_HAS(m, "'v.blk.0.ffn_up.weight' has shape [48, 24]");
}

TEST_F(VisionErrors, AnIncompleteMmprojFromTheSupportBuilderIsRejected) {
    const std::string m = load_error(synthetic_mmproj(/*audio=*/false));
    EXPECT_HAS(m, "is missing");
}

TEST_F(VisionErrors, WrongImageSizeIsAnErrorNotACrash) {
    const auto file = gguf::File::from_bytes(tiny_mmproj().bytes(), "smol.gguf");
    models::VisionEncoder encoder(ctx(), file);
    EXPECT_THROW(encoder.encode(test_image(24, 32)), Error);
    media::PlanarImage short_data = test_image(32, 32);
    short_data.data.resize(10);
    EXPECT_THROW(encoder.encode(short_data), Error);
}

TEST(MmprojPair, WidthMismatchNamesBothFiles) {
    models::VisionHParams h;
    h.projector = models::ProjectorType::idefics3;
    h.output_dim = 576;
    try {
        models::check_mmproj_pair(h, 960, "llama", "mmproj-smol.gguf", "smol-text.gguf");
        FAIL() << "expected a width mismatch";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_HAS(m, "mmproj-smol.gguf");
        EXPECT_HAS(m, "smol-text.gguf");
        EXPECT_HAS(m, "576");
        EXPECT_HAS(m, "960");
    }
    EXPECT_NO_THROW(models::check_mmproj_pair(h, 576, "llama", "a", "b"));
}

TEST(MmprojPair, ProjectorMustSuitTheTextArchitecture) {
    models::VisionHParams h;
    h.output_dim = 64;
    h.projector = models::ProjectorType::qwen25vl;
    EXPECT_THROW(models::check_mmproj_pair(h, 64, "llama", "m", "t"), Error);
    EXPECT_NO_THROW(models::check_mmproj_pair(h, 64, "qwen2vl", "m", "t"));
    h.projector = models::ProjectorType::gemma3;
    try {
        models::check_mmproj_pair(h, 64, "qwen2vl", "m.gguf", "t.gguf");
        FAIL();
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_HAS(m, "'gemma3'");
        EXPECT_HAS(m, "'qwen2vl'");
    }
    EXPECT_NO_THROW(models::check_mmproj_pair(h, 64, "gemma3", "m", "t"));
}

// --- synthetic end to end -------------------------------------------------------------------

struct SyntheticCase {
    std::string projector;
    std::int32_t width, height;
    std::int64_t tokens;
    std::int32_t grid_cols, grid_rows;
};

class SyntheticEncode : public GpuTest, public ::testing::WithParamInterface<SyntheticCase> {};

TEST_P(SyntheticEncode, ShapesAreRightAndRunsRepeat) {
    const SyntheticCase& c = GetParam();
    const auto file = gguf::File::from_bytes(tiny_mmproj({.projector = c.projector}).bytes(),
                                             c.projector + ".gguf");
    models::VisionEncoder encoder(ctx(), file);
    const auto image = test_image(c.width, c.height);
    EXPECT_EQ(encoder.tokens_for(image), c.tokens);
    const auto first = encoder.encode(image);
    EXPECT_EQ(first.tensor.ne[0], encoder.hparams().output_dim);
    EXPECT_EQ(first.tensor.ne[1], c.tokens);
    EXPECT_EQ(first.grid_cols, c.grid_cols);
    EXPECT_EQ(first.grid_rows, c.grid_rows);
    const auto a = download(first.tensor);
    float largest = 0;
    for (float v : a.data) {
        ASSERT_TRUE(std::isfinite(v));
        largest = std::max(largest, std::abs(v));
    }
    EXPECT_GT(largest, 1e-3f);  // not all zeros
    // Reused activation buffers give the same rows again, bit for bit.
    const auto b = download(encoder.encode(image).tensor);
    EXPECT_EQ(a.data, b.data);
}

INSTANTIATE_TEST_SUITE_P(Projectors, SyntheticEncode,
                         ::testing::Values(SyntheticCase{"idefics3", 32, 32, 4, 0, 0},
                                           SyntheticCase{"gemma3", 32, 32, 4, 0, 0},
                                           SyntheticCase{"qwen2.5vl_merger", 48, 32, 24, 6, 4},
                                           SyntheticCase{"qwen2vl_merger", 16, 24, 6, 2, 3},
                                           SyntheticCase{"mlp", 16, 16, 16, 0, 0}),
                         [](const auto& test_param) {
                             std::string name = test_param.param.projector;
                             for (char& ch : name) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                             }
                             return name;
                         });

}  // namespace
}  // namespace prism::test
