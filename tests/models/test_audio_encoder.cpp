// The audio towers of mmproj files (Whisper encoder + projector) against transformers on the
// tiny random-weight fixtures of tests/data/audio-models (tools/make_tiny_audio_models.py):
// Prism decodes the sound, computes the log-mel and runs encoder and projector on the device.
// Also the metadata checks and the one-line errors for bad files and empty sound.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/media/audio.hpp"
#include "prism/models/audio_encoder.hpp"
#include "support/gguf_builder.hpp"
#include "support/gpu_test.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

struct AudioCase {
    const char* folder;
    const char* reference;
    std::size_t samples;  // of jfk.wav's 176000 (11 s)
    std::int64_t rows;
};

void PrintTo(const AudioCase& c, std::ostream* os) {
    *os << c.reference;
}

class AudioEncoderFixtures : public GpuTest, public ::testing::WithParamInterface<AudioCase> {};

TEST_P(AudioEncoderFixtures, MatchTransformers) {
    const AudioCase c = GetParam();
    const auto dir = test_data(std::string("audio-models/") + c.folder);
    const gguf::File file = gguf::File::open(dir / "mmproj.gguf");
    models::AudioEncoder encoder(ctx(), file);
    EXPECT_EQ(encoder.hparams().output_dim, 48);

    const media::Audio sound = media::decode_audio_file(test_data("audio/jfk.wav"));
    ASSERT_GE(sound.samples.size(), c.samples);
    const std::span<const float> clip(sound.samples.data(), c.samples);
    EXPECT_EQ(encoder.tokens_for(clip.size()), c.rows);
    const auto windows = encoder.mel(clip);
    const models::AudioEmbeddings rows = encoder.encode(windows, clip.size(), "jfk.wav");
    ASSERT_EQ(rows.tensor.ne[0], 48);
    ASSERT_EQ(rows.tensor.ne[1], c.rows);

    const auto expected = read_f32(dir / c.reference);
    ASSERT_EQ(expected.size(), static_cast<std::size_t>(c.rows) * 48);
    const auto actual = download(rows.tensor);
    float diff = 0, largest = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) {
        diff = std::max(diff, std::abs(expected[i] - actual.data[i]));
        largest = std::max(largest, std::abs(expected[i]));
    }
    std::cout << "[ audio    ] " << c.reference << ": max |diff| " << diff << " of " << largest
              << " (" << diff / largest << ")\n";
    // The project's bound for embeddings: 1e-3 of the largest reference value. Measured:
    // ultravox 3.9e-5, qwen2a 11 s 5.4e-5 and 2 s 6.7e-5, voxtral 2.6e-5 (f16 attention keys
    // and values, f32 sums).
    EXPECT_LT(diff, 1e-3f * largest) << "max |diff| " << diff << " of " << largest;
}

INSTANTIATE_TEST_SUITE_P(
    Families, AudioEncoderFixtures,
    ::testing::Values(
        // The padded 30-s window, 1500 frames stacked by 8 (the last 4 dropped).
        AudioCase{"whisper", "ultravox.f32", 176000, 187},
        // The sound alone: 1100 mel frames -> 550 attended -> 275 pooled rows; equal to the
        // padded window with transformers' key mask.
        AudioCase{"qwen2a", "qwen2a.f32", 176000, 275},
        AudioCase{"qwen2a", "qwen2a_2s.f32", 32000, 50},
        // The padded window, 1500 frames stacked by 4, no pooling (transformers).
        AudioCase{"voxtral", "voxtral.f32", 176000, 375}),
    [](const auto& param) {
        std::string name = param.param.reference;
        return name.substr(0, name.find('.'));
    });

TEST(AudioTokenCounts, ThirtySecondWindowsInOrder) {
    const gguf::File file = gguf::File::open(test_data("audio-models/qwen2a/mmproj.gguf"));
    models::AudioEncoder encoder(shared_context(), file);
    EXPECT_EQ(encoder.tokens_for(480000), 750);          // one full window
    EXPECT_EQ(encoder.tokens_for(480000 + 32000), 800);  // a full one and 2 s
    EXPECT_EQ(encoder.tokens_for(0), 0);
    EXPECT_EQ(encoder.tokens_for(160), 0);  // one mel frame: no pooled row
    const gguf::File voxtral = gguf::File::open(test_data("audio-models/voxtral/mmproj.gguf"));
    models::AudioEncoder v(shared_context(), voxtral);
    EXPECT_EQ(v.tokens_for(16000 * 45), 750);  // two padded windows of 375
}

TEST(AudioEncoderErrors, EmptySoundNamesTheLabel) {
    const gguf::File file = gguf::File::open(test_data("audio-models/qwen2a/mmproj.gguf"));
    models::AudioEncoder encoder(shared_context(), file);
    try {
        encoder.encode({}, 0, "silence.wav");
        ADD_FAILURE() << "a sound of no samples was encoded";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "silence.wav: the sound has no samples");
    }
    const std::vector<float> one(100, 0.5f);
    try {
        encoder.encode(encoder.mel(one), one.size(), "click.wav");
        ADD_FAILURE() << "a sound too short for a row was encoded";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind("click.wav: ", 0), 0u) << e.what();
    }
}

// The qwen2a fixture rewritten with one change: its audio keys (one of them replaced) and
// its tensors (one of them left out).
struct Edit {
    std::string omit_tensor;
    std::string key;  // a clip.audio count written as `value`
    std::uint32_t value = 0;
    std::string projector = "qwen2a";
    bool has_audio = true;
};

GgufBuilder edited_mmproj(const Edit& edit) {
    const gguf::File original = gguf::File::open(test_data("audio-models/qwen2a/mmproj.gguf"));
    GgufBuilder b;
    b.set("general.architecture", "clip");
    b.set<bool>("clip.has_audio_encoder", edit.has_audio);
    b.set("clip.projector_type", edit.projector.c_str());
    for (const char* key : {"clip.audio.num_mel_bins", "clip.audio.embedding_length",
                            "clip.audio.feed_forward_length", "clip.audio.block_count",
                            "clip.audio.attention.head_count", "clip.audio.projection_dim"}) {
        b.set<std::uint32_t>(
            key, key == edit.key ? edit.value : original.get_integer<std::uint32_t>(key));
    }
    b.set<float>("clip.audio.attention.layer_norm_epsilon",
                 original.get<float>("clip.audio.attention.layer_norm_epsilon"));
    for (const gguf::TensorInfo& t : original.tensors()) {
        if (t.name == edit.omit_tensor) continue;
        std::vector<std::uint64_t> ne(t.ne.begin(), t.ne.begin() + t.n_dims);
        b.tensor(std::string(t.name), t.type, ne,
                 std::vector<std::byte>(t.data.begin(), t.data.end()));
    }
    return b;
}

// The message for an edited file: it starts with the file name and is one line, and the
// device-free check gives the same message as loading.
std::string edited_error(const Edit& edit) {
    const auto file = gguf::File::from_bytes(edited_mmproj(edit).bytes(), "edited.gguf");
    std::string loaded, checked;
    try {
        models::AudioEncoder encoder(shared_context(), file);
    } catch (const FormatError& e) {
        loaded = e.what();
    }
    try {
        models::check_audio_encoder(file);
    } catch (const FormatError& e) {
        checked = e.what();
    }
    EXPECT_EQ(loaded, checked);
    if (!loaded.empty()) {
        EXPECT_EQ(loaded.rfind("edited.gguf: ", 0), 0u) << loaded;
        EXPECT_EQ(loaded.find('\n'), std::string::npos) << loaded;
    }
    return loaded;
}

#define EXPECT_HAS(message, part) \
    EXPECT_NE((message).find(part), std::string::npos) << "message: " << (message)

TEST(AudioEncoderErrors, MalformedAudioHalfIsOneLineNamingTheFile) {
    EXPECT_EQ(edited_error({}), "");  // the copy itself loads
    EXPECT_HAS(edited_error({.omit_tensor = "a.blk.1.attn_q.weight"}),
               "'a.blk.1.attn_q.weight' is missing");
    EXPECT_HAS(edited_error({.omit_tensor = "mm.a.fc.bias"}), "'mm.a.fc.bias' is missing");
    EXPECT_HAS(edited_error({.key = "clip.audio.block_count", .value = 3}), "a.blk.2.ln1.weight");
    EXPECT_HAS(edited_error({.key = "clip.audio.attention.head_count", .value = 3}),
               "clip.audio.attention.head_count");
    EXPECT_HAS(edited_error({.key = "clip.audio.num_mel_bins", .value = 0}),
               "clip.audio.num_mel_bins");
    EXPECT_HAS(edited_error({.key = "clip.audio.embedding_length", .value = 32}),
               "a.conv1d.1.weight");
    EXPECT_HAS(edited_error({.projector = "gemma4a"}), "'gemma4a' is not supported");
    EXPECT_HAS(edited_error({.has_audio = false}), "no audio encoder");
}

TEST(AudioEncoderErrors, PairMismatchNamesBothFiles) {
    const gguf::File file = gguf::File::open(test_data("audio-models/voxtral/mmproj.gguf"));
    const models::AudioHParams h = models::read_audio_hparams(file);
    EXPECT_NO_THROW(models::check_audio_pair(h, 48, "mmproj.gguf", "text.gguf"));
    try {
        models::check_audio_pair(h, 64, "mmproj.gguf", "text.gguf");
        ADD_FAILURE() << "a 48-wide projector was paired with a 64-wide text model";
    } catch (const Error& e) {
        EXPECT_HAS(std::string(e.what()), "mmproj.gguf");
        EXPECT_HAS(std::string(e.what()), "text.gguf");
        EXPECT_HAS(std::string(e.what()), "48");
    }
}

}  // namespace
}  // namespace prism::test
