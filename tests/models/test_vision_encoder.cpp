// The vision encoders (mmproj): loading and its errors, the Qwen token bookkeeping, and every
// projector type end to end on synthetic files (shapes, determinism) and on the transformers
// fixtures of tests/data/vlm (values).

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/model_files.hpp"
#include "models/vision_files.hpp"
#include "models/vision_layout.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/half.hpp"
#include "prism/models/vision_encoder.hpp"
#include "support/gpu_test.hpp"
#include "support/test_files.hpp"

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

// The constructor's FormatError ("" if none), which check_vision_encoder, without a device,
// must give word for word.
std::string load_error(const GgufBuilder& builder, const std::string& name = "edited.gguf") {
    const auto file = gguf::File::from_bytes(builder.bytes(), name);
    std::string constructed, checked;
    try {
        models::VisionEncoder encoder(shared_context(), file);
    } catch (const FormatError& e) {
        constructed = e.what();
    }
    try {
        models::check_vision_encoder(file);
    } catch (const FormatError& e) {
        checked = e.what();
    }
    EXPECT_EQ(checked, constructed);
    return constructed;
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

TEST_F(VisionErrors, HostileBlockCountIsAFormatErrorNotAnAllocation) {
    const std::string m = load_error(tiny_mmproj({.block_count = 2'000'000'000u}));
    EXPECT_HAS(m, "'v.blk.1999999999.ln1.weight' is missing");
    EXPECT_HAS(m, "block_count says 2000000000");
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

// --- transformers fixtures (tests/data/vlm) ------------------------------------------------

std::filesystem::path vlm_dir(const std::string& family) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / "vlm" / family;
}

// The integer after "key": in a flat JSON object (pixels.json).
std::int32_t json_int(const std::filesystem::path& path, const std::string& key) {
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto at = text.find("\"" + key + "\"");
    if (at == std::string::npos) throw std::runtime_error(key + " not in " + path.string());
    return std::stoi(text.substr(text.find(':', at) + 1));
}

struct FixtureCase {
    std::string family;
    std::string folder;  // under tests/data
    models::ProjectorType projector;
    std::int64_t tokens_per_image;
    std::int32_t grid_cols, grid_rows;
};

class FixtureEncode : public GpuTest, public ::testing::WithParamInterface<FixtureCase> {};

TEST_P(FixtureEncode, EmbeddingsMatchTransformers) {
    const FixtureCase& c = GetParam();
    const auto dir = std::filesystem::path(PRISM_TEST_DATA_DIR) / c.folder;
    const auto file = gguf::File::open(dir / "mmproj.gguf");
    models::VisionEncoder encoder(ctx(), file);
    EXPECT_EQ(encoder.hparams().projector, c.projector);

    const std::int32_t n_images = json_int(dir / "pixels.json", "n_images");
    const std::int32_t height = json_int(dir / "pixels.json", "height");
    const std::int32_t width = json_int(dir / "pixels.json", "width");
    const auto pixels = read_f32(dir / "pixels.f32");
    const auto reference = read_f32(dir / "embeddings.f32");
    const auto plane = static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
    ASSERT_EQ(pixels.size(), plane * static_cast<std::size_t>(n_images));
    const std::int64_t out_dim = encoder.hparams().output_dim;
    const auto per_image = static_cast<std::size_t>(c.tokens_per_image * out_dim);
    ASSERT_EQ(reference.size(), per_image * static_cast<std::size_t>(n_images));

    float ref_max = 0;
    for (float v : reference) ref_max = std::max(ref_max, std::abs(v));
    for (std::int32_t i = 0; i < n_images; ++i) {
        media::PlanarImage image{width, height, {}};
        const auto first =
            pixels.begin() + static_cast<std::ptrdiff_t>(plane * static_cast<std::size_t>(i));
        image.data.assign(first, first + static_cast<std::ptrdiff_t>(plane));
        ASSERT_EQ(encoder.tokens_for(image), c.tokens_per_image);
        const auto result = encoder.encode(image);
        EXPECT_EQ(result.grid_cols, c.grid_cols);
        EXPECT_EQ(result.grid_rows, c.grid_rows);
        ASSERT_EQ(result.tensor.ne[0], out_dim);
        ASSERT_EQ(result.tensor.ne[1], c.tokens_per_image);
        const auto got = download(result.tensor);
        float worst = 0;
        std::size_t where = 0;
        for (std::size_t j = 0; j < per_image; ++j) {
            const float d =
                std::abs(got.data[j] - reference[per_image * static_cast<std::size_t>(i) + j]);
            if (d > worst) worst = d, where = j;
        }
        // 1e-3 x max |reference|: the file's weights are exact and the reference is within
        // ~1e-6 of a float64 pass; what is left is the GPU's f32 reduction order, its tanh,
        // and the attention op's f16 keys and values (11-bit mantissa, ~5e-4 relative per
        // product, averaged by the softmax).
        EXPECT_LE(worst, 1e-3f * ref_max)
            << c.family << " image " << i << ": worst |diff| " << worst << " at token "
            << where / static_cast<std::size_t>(out_dim) << " feature "
            << where % static_cast<std::size_t>(out_dim) << " (max |ref| " << ref_max << ")";
        std::cout << "[ measured ] " << c.family << " image " << i << ": worst |diff| " << worst
                  << " = " << worst / ref_max << " x max|ref|\n";
    }
}

INSTANTIATE_TEST_SUITE_P(
    Families, FixtureEncode,
    // vision/qwen2vl: tools/make_qwen2vl_vision_fixture.py (a vision tower only).
    ::testing::Values(
        FixtureCase{"smolvlm", "vlm/smolvlm", models::ProjectorType::idefics3, 4, 0, 0},
        FixtureCase{"gemma3", "vlm/gemma3", models::ProjectorType::gemma3, 16, 0, 0},
        FixtureCase{"qwen25vl", "vlm/qwen25vl", models::ProjectorType::qwen25vl, 32, 8, 4},
        FixtureCase{"llava", "vlm/llava", models::ProjectorType::mlp, 16, 0, 0},
        FixtureCase{"qwen2vl", "vision/qwen2vl", models::ProjectorType::qwen2vl, 6, 3, 2}),
    [](const auto& test_param) { return test_param.param.family; });

class FixtureErrors : public GpuTest {};

TEST_F(FixtureErrors, TextModelOfTheFixtureGivenAsMmproj) {
    const auto file = gguf::File::open(vlm_dir("smolvlm") / "text.gguf");
    try {
        models::VisionEncoder encoder(ctx(), file);
        FAIL() << "a text model loaded as an mmproj";
    } catch (const FormatError& e) {
        const std::string m = e.what();
        EXPECT_HAS(m, "text.gguf");
        EXPECT_HAS(m, "not an mmproj");
    }
}

TEST_F(FixtureErrors, TruncatedMmprojIsAFormatErrorAtEveryCut) {
    std::ifstream in(vlm_dir("gemma3") / "mmproj.gguf", std::ios::binary);
    const std::vector<char> raw((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
    for (const std::size_t cut :
         {std::size_t{0}, std::size_t{7}, std::size_t{100}, raw.size() / 3, raw.size() - 1}) {
        const auto bytes = std::as_bytes(std::span(raw.data(), cut));
        EXPECT_THROW(
            {
                const auto file = gguf::File::from_bytes(bytes, "cut.gguf");
                models::VisionEncoder encoder(ctx(), file);
            },
            FormatError)
            << "cut at " << cut;
    }
}

TEST_F(FixtureErrors, PairChecksAgainstTheFixtureTextModels) {
    for (const std::string family : {"smolvlm", "gemma3", "qwen25vl", "llava"}) {
        const auto mmproj = gguf::File::open(vlm_dir(family) / "mmproj.gguf");
        const auto text = gguf::File::open(vlm_dir(family) / "text.gguf");
        const auto vision = models::read_vision_hparams(mmproj);
        const auto arch = text.get<std::string>("general.architecture");
        const auto n_embd = text.get_integer<std::int64_t>(arch + ".embedding_length");
        EXPECT_NO_THROW(models::check_mmproj_pair(vision, n_embd, arch, mmproj.name(), text.name()))
            << family;
        EXPECT_THROW(
            models::check_mmproj_pair(vision, n_embd + 8, arch, mmproj.name(), text.name()), Error);
    }
}

// --- timing (run by hand: --gtest_also_run_disabled_tests) ----------------------------------

// SmolVLM-256M's vision tower and projector shapes (SigLIP 512/16, width 768, 12 blocks, 12
// heads, FFN 3072, pixel shuffle 4, 576 out) with random F16 matrices: one 512x512 tile.
// About 175 GFLOP of matmuls: on lavapipe (~3 GFLOP/s tiled matmul, docs/benchmarks.md) that
// is about a minute per encode, so this is for real GPUs and by-hand runs only.
TEST(VisionTiming, DISABLED_SmolVlm256mShapedTile) {
    constexpr std::uint64_t D = 768, F = 3072, P = 16, S = 512, L = 12, OUT = 576;
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> dist(-0.03f, 0.03f);
    const auto f16 = [&](std::uint64_t n) {
        std::vector<std::byte> bytes(n * 2);
        for (std::uint64_t i = 0; i < n; ++i) {
            const std::uint16_t h = float_to_half(dist(rng));
            std::memcpy(bytes.data() + 2 * i, &h, 2);
        }
        return bytes;
    };
    const auto f32 = [&](std::uint64_t n, float center) {
        std::vector<float> v(n);
        for (float& x : v) x = center + dist(rng);
        return v;
    };
    GgufBuilder b;
    b.set("general.architecture", "clip")
        .set("clip.projector_type", "idefics3")
        .set<bool>("clip.has_vision_encoder", true)
        .set<bool>("clip.use_gelu", true)
        .set<std::uint32_t>("clip.vision.image_size", S)
        .set<std::uint32_t>("clip.vision.patch_size", P)
        .set<std::uint32_t>("clip.vision.embedding_length", D)
        .set<std::uint32_t>("clip.vision.feed_forward_length", F)
        .set<std::uint32_t>("clip.vision.block_count", L)
        .set<std::uint32_t>("clip.vision.attention.head_count", 12)
        .set<float>("clip.vision.attention.layer_norm_epsilon", 1e-6f)
        .set<std::uint32_t>("clip.vision.projector.scale_factor", 4)
        .set_array<float>("clip.vision.image_mean", {0.5f, 0.5f, 0.5f})
        .set_array<float>("clip.vision.image_std", {0.5f, 0.5f, 0.5f});
    b.tensor("v.patch_embd.weight", TensorType::F16, {P, P, 3, D}, f16(P * P * 3 * D))
        .tensor_f32("v.patch_embd.bias", {D}, f32(D, 0))
        .tensor_f32("v.position_embd.weight", {D, (S / P) * (S / P)}, f32(D * (S / P) * (S / P), 0))
        .tensor_f32("v.post_ln.weight", {D}, f32(D, 1))
        .tensor_f32("v.post_ln.bias", {D}, f32(D, 0));
    for (std::uint64_t il = 0; il < L; ++il) {
        const std::string p = "v.blk." + std::to_string(il) + ".";
        for (const char* n : {"ln1", "ln2"}) {
            b.tensor_f32(p + n + ".weight", {D}, f32(D, 1))
                .tensor_f32(p + n + ".bias", {D}, f32(D, 0));
        }
        for (const char* n : {"attn_q", "attn_k", "attn_v", "attn_out"}) {
            b.tensor(p + n + ".weight", TensorType::F16, {D, D}, f16(D * D))
                .tensor_f32(p + n + ".bias", {D}, f32(D, 0));
        }
        b.tensor(p + "ffn_up.weight", TensorType::F16, {D, F}, f16(D * F))
            .tensor_f32(p + "ffn_up.bias", {F}, f32(F, 0))
            .tensor(p + "ffn_down.weight", TensorType::F16, {F, D}, f16(F * D))
            .tensor_f32(p + "ffn_down.bias", {D}, f32(D, 0));
    }
    b.tensor("mm.model.fc.weight", TensorType::F16, {D * 16, OUT}, f16(D * 16 * OUT));
    const auto file = gguf::File::from_bytes(b.bytes(), "smolvlm-256m-shaped.gguf");
    models::VisionEncoder encoder(shared_context(), file);
    const auto image = test_image(S, S);
    encoder.encode(image);  // pipelines and buffers
    const auto start = std::chrono::steady_clock::now();
    const auto out = encoder.encode(image);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(out.tensor.ne[1], 64);
    std::cout << "[ timing   ] SmolVLM-256M-shaped 512x512 tile: " << ms << " ms on "
              << shared_context().device().name << "\n";
}

}  // namespace
}  // namespace prism::test
