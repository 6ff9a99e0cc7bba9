// The projector table: every type has its row, the mmproj reader accepts each row's spelling
// and fills the row's rules in, and an unknown spelling is a one-line error naming the file.

#include "prism/models/projector_traits.hpp"

#include <gtest/gtest.h>

#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/vision_encoder.hpp"
#include "support/gguf_builder.hpp"

namespace prism {
namespace {

using models::ProjectorType;

constexpr ProjectorType kTypes[] = {
    ProjectorType::idefics3, ProjectorType::gemma3,  ProjectorType::qwen25vl,
    ProjectorType::qwen2vl,  ProjectorType::mlp,     ProjectorType::ultravox,
    ProjectorType::qwen2a,   ProjectorType::voxtral, ProjectorType::qwen25o};

// The header of an mmproj with a one-block tower, and every projector's last matrix with
// output width 24, so that any row's reader finds its tensor.
test::GgufBuilder mmproj(const std::string& projector_key, const std::string& projector) {
    test::GgufBuilder b;
    b.set("general.architecture", "clip")
        .set<bool>("clip.has_vision_encoder", true)
        .set<std::uint32_t>("clip.vision.image_size", 56)
        .set<std::uint32_t>("clip.vision.patch_size", 14)
        .set<std::uint32_t>("clip.vision.embedding_length", 16)
        .set<std::uint32_t>("clip.vision.feed_forward_length", 32)
        .set<std::uint32_t>("clip.vision.block_count", 1)
        .set<std::uint32_t>("clip.vision.attention.head_count", 2)
        .set<float>("clip.vision.attention.layer_norm_epsilon", 1e-6f)
        .set<std::uint32_t>("clip.vision.n_wa_pattern", 2)
        .set_array<float>("clip.vision.image_mean", {0.5f, 0.5f, 0.5f})
        .set_array<float>("clip.vision.image_std", {0.5f, 0.5f, 0.5f});
    if (!projector_key.empty()) b.set(projector_key, projector);
    b.tensor("mm.model.fc.weight", TensorType::F32, {64, 24})
        .tensor("mm.input_projection.weight", TensorType::F32, {24, 16})
        .tensor("mm.2.weight", TensorType::F32, {64, 24});
    return b;
}

models::VisionHParams read(const test::GgufBuilder& b, const std::string& name = "mm.gguf") {
    return models::read_vision_hparams(gguf::File::from_bytes(b.bytes(), name));
}

TEST(ProjectorTraits, EveryTypeHasItsOwnRow) {
    ASSERT_EQ(models::projector_table().size(), std::size(kTypes));
    for (const ProjectorType type : kTypes) {
        const models::ProjectorTraits& row = models::projector_traits(type);
        EXPECT_EQ(row.type, type);
        EXPECT_EQ(models::find_projector(row.name, row.modality), &row) << row.name;
        EXPECT_EQ(models::projector_type_name(type), row.name);
    }
}

TEST(ProjectorTraits, RowsAgreeWithTheirLayout) {
    for (const auto& row : models::projector_table()) {
        SCOPED_TRACE(std::string(row.name));
        // Audio rows carry an audio rule instead; their vision fields are unused.
        EXPECT_EQ(row.modality == models::Modality::audio,
                  row.audio.head != models::AudioHead::none);
        if (row.modality != models::Modality::vision) continue;
        // The qwen layout is the one that writes M-RoPE grid positions.
        EXPECT_EQ(row.layout == models::ImageLayoutKind::qwen, row.mrope_text);
        // Merged-grid positions count cells of the aligned sizes only a dynamic size makes.
        EXPECT_EQ(row.preprocess.kind == media::VisionPreprocess::Kind::dynamic_size,
                  row.mrope_text);
        EXPECT_GE(row.min_prefill_chunk, 1);
    }
}

TEST(ProjectorTraits, TheReaderAcceptsEveryRowAndAppliesIt) {
    for (const auto& row : models::projector_table()) {
        if (row.modality != models::Modality::vision) continue;
        SCOPED_TRACE(std::string(row.name));
        const auto h = read(mmproj("clip.projector_type", std::string(row.name)));
        EXPECT_EQ(h.projector, row.type);
        EXPECT_EQ(h.preprocess.kind, row.preprocess.kind);
        EXPECT_EQ(h.preprocess.filter, row.preprocess.filter);
        EXPECT_EQ(h.preprocess.pad_color, row.preprocess.pad_color);
        EXPECT_EQ(h.scale_factor, row.default_scale_factor);
        EXPECT_EQ(h.rms_norm, row.rms_norm);
        EXPECT_EQ(h.n_wa_pattern, row.window_attention ? 2 : 0);
        EXPECT_EQ(h.output_dim, 24);
    }
    // The per-modality key, and the older spellings that name a row.
    EXPECT_EQ(read(mmproj("clip.vision.projector_type", "gemma3")).projector,
              ProjectorType::gemma3);
    EXPECT_EQ(read(mmproj("clip.projector_type", "qwen2.5o")).projector, ProjectorType::qwen25vl);
    EXPECT_EQ(read(mmproj("", "").set<bool>("clip.has_llava_projector", true)).projector,
              ProjectorType::mlp);
}

TEST(ProjectorTraits, AnUnknownTypeIsAOneLineErrorNamingTheFileAndTheType) {
    EXPECT_EQ(models::find_projector("pixtral"), nullptr);
    try {
        read(mmproj("clip.projector_type", "pixtral"), "mmproj-pixtral.gguf");
        FAIL() << "an unknown projector type was accepted";
    } catch (const FormatError& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.find('\n'), std::string::npos) << m;
        EXPECT_EQ(m.rfind("mmproj-pixtral.gguf: ", 0), 0u) << m;
        EXPECT_NE(m.find("'pixtral'"), std::string::npos) << m;
        EXPECT_NE(m.find(models::supported_projectors()), std::string::npos) << m;
    }
    EXPECT_THROW(read(mmproj("", "")), FormatError);  // no projector type at all
}

}  // namespace
}  // namespace prism
