// Whisper's audio encoder against transformers' WhisperEncoder on the tiny random-weight
// fixture of tests/data/audio-models/whisper (tools/make_tiny_audio_models.py): the sound is
// decoded and turned into log-mel by Prism, the encoder runs on the device.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "models/audio_weights.hpp"
#include "models/whisper_encoder.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/log_mel.hpp"
#include "support/gpu_test.hpp"
#include "support/test_files.hpp"

namespace prism::test {
namespace {

models::WhisperEncoder load_encoder(const gguf::File& file) {
    const models::WhisperEncoderShape shape = models::read_whisper_shape(file);
    models::WeightLoader loader(file, "Whisper encoder");
    models::WhisperEncoderWeights w;
    models::plan_whisper_weights(loader, w, shape, file);
    w.buffers = loader.upload_all(shared_context(), w.bytes);
    models::finish_whisper_weights(w);
    return models::WhisperEncoder(shared_context(), shape, std::move(w), file.name());
}

// Largest |expected - actual| over the first `rows` rows of [rows, D] f32 (row-major = one
// encoder frame per row, the layout of both the fixture and the device tensor).
float max_difference(const std::vector<float>& expected, const ops::HostTensor& actual,
                     std::size_t count) {
    float diff = 0;
    for (std::size_t i = 0; i < count; ++i) {
        diff = std::max(diff, std::abs(expected[i] - actual.data[i]));
    }
    return diff;
}

float max_magnitude(const std::vector<float>& v) {
    float m = 0;
    for (float x : v) m = std::max(m, std::abs(x));
    return m;
}

class WhisperEncoderTest : public GpuTest {
  protected:
    const std::filesystem::path dir = test_data("audio-models/whisper");
    const gguf::File file = gguf::File::open(dir / "mmproj.gguf");
    models::WhisperEncoder encoder = load_encoder(file);
    media::Audio sound = media::decode_audio_file(test_data("audio/jfk.wav"));
};

TEST_F(WhisperEncoderTest, ShapeFromTheMmproj) {
    const auto& s = encoder.shape();
    EXPECT_EQ(s.n_mels, 80);
    EXPECT_EQ(s.d_model, 64);
    EXPECT_EQ(s.n_heads, 4);
    EXPECT_EQ(s.n_layers, 2);
    EXPECT_EQ(s.n_positions, 1500);
    EXPECT_EQ(models::WhisperEncoder::output_frames(3000, 1), 1500);
    EXPECT_EQ(models::WhisperEncoder::output_frames(3000, 2), 750);
    EXPECT_EQ(models::WhisperEncoder::output_frames(201, 1), 101);
}

TEST_F(WhisperEncoderTest, MatchesTransformersOnAThirtySecondWindow) {
    media::LogMelSpectrogram mel(80);
    const auto windows = mel.windows(sound.samples);
    ASSERT_EQ(windows.size(), 1u);
    const auto result = encoder.encode(windows[0]);
    ASSERT_EQ(result.tensor.ne[0], 64);
    ASSERT_EQ(result.tensor.ne[1], 1500);
    const auto expected = read_f32(dir / "encoder.f32");
    ASSERT_EQ(expected.size(), 1500u * 64u);
    const auto actual = download(result.tensor);
    // f16 keys and values in attention and f32 sums against PyTorch's f32: measured 2.7e-5 of
    // the largest value; the bound is the project's 1e-3 relative to max |ref|.
    const float diff = max_difference(expected, actual, expected.size());
    EXPECT_LT(diff, 1e-3f * max_magnitude(expected)) << "max |diff| " << diff;
    RecordProperty("relative_difference", std::to_string(diff / max_magnitude(expected)));
}

TEST_F(WhisperEncoderTest, AShortClipIsPaddedToThirtySecondsAsWhisperDoes) {
    // Whisper's frames attend to every frame of the padded window, so a 2-s clip's rows equal
    // the reference only when the padding is encoded too.
    const std::vector<float> two_seconds(sound.samples.begin(), sound.samples.begin() + 32000);
    media::LogMelSpectrogram mel(80);
    const auto windows = mel.windows(two_seconds);
    ASSERT_EQ(windows.size(), 1u);
    const auto expected = read_f32(dir / "encoder_2s.f32");  // the first 100 rows (2 s)
    ASSERT_EQ(expected.size(), 100u * 64u);
    const float bound = 1e-3f * max_magnitude(expected);

    const auto padded = download(encoder.encode(windows[0]).tensor);
    EXPECT_LT(max_difference(expected, padded, expected.size()), bound);

    // The clip alone (200 mel frames): the same rows differ (by 1.09 of the largest value),
    // which is why Whisper pads. (Measured padded: 2.1e-5.)
    encoder.upload(windows[0]);
    auto alone = empty(TensorType::F32, {64, 100, 1, 1});
    run([&](gpu::Recorder& rec) { encoder.record(rec, {0, 200, 0, 1}, alone); });
    EXPECT_GT(max_difference(expected, download(alone), expected.size()), 10 * bound);
}

// The two ways of running attention and the convolutions (fused kernels; matrix products with
// a softmax and im2col, what CPU devices get) on spans that exercise their edges: an odd
// length (the stride-2 convolution's last tap falls outside), keys masked past `attended`,
// a span not at frame 0, a pool of 2. Each span's frames are checked against the other way's.
TEST_F(WhisperEncoderTest, ProductsAndFusedKernelsAgree) {
    media::LogMelSpectrogram mel(80);
    const auto windows = mel.windows(sound.samples);
    std::vector<std::vector<float>> results[2];
    for (const char* mode : {"0", "1"}) {
        ::setenv("PRISM_ENCODER_PRODUCTS", mode, 1);
        models::WhisperEncoder e = load_encoder(file);
        ::unsetenv("PRISM_ENCODER_PRODUCTS");
        e.upload(windows[0]);
        for (const auto& span :
             {models::WhisperEncodeSpan{0, 401, 0, 1}, models::WhisperEncodeSpan{100, 300, 77, 1},
              models::WhisperEncodeSpan{37, 250, 0, 2}}) {
            const std::int64_t n = models::WhisperEncoder::output_frames(span.frames, span.pool);
            auto out = empty(TensorType::F32, {64, n, 1, 1});
            run([&](gpu::Recorder& rec) { e.record(rec, span, out); });
            results[mode[0] - '0'].push_back(download(out).data);
        }
    }
    ASSERT_EQ(results[0].size(), results[1].size());
    for (std::size_t i = 0; i < results[0].size(); ++i) {
        // Both round K and V to f16 and sum in f32, in other orders: measured below 1e-5 of
        // the largest value; the bound is the project's 1e-3 relative.
        float worst = 0, peak = 0;
        for (std::size_t j = 0; j < results[0][i].size(); ++j) {
            worst = std::max(worst, std::abs(results[0][i][j] - results[1][i][j]));
            peak = std::max(peak, std::abs(results[0][i][j]));
        }
        EXPECT_LT(worst, 1e-3f * peak) << "span " << i << ": max |diff| " << worst;
        RecordProperty("relative_difference_" + std::to_string(i), std::to_string(worst / peak));
    }
}

// A span cut into stretches (Qwen2.5-Omni's way, here with odd stretches so that each rounds
// its stride-2 convolution up on its own) equals encoding each stretch as a span of its own,
// the pool aside: the convolutions, positions and attention of one stretch never see another.
// Both ways of running attention, and the row counts the stretches add up to.
TEST_F(WhisperEncoderTest, StretchesEncodeAsIfAlone) {
    media::LogMelSpectrogram mel(80);
    const auto windows = mel.windows(sound.samples);
    for (const char* mode : {"0", "1"}) {
        ::setenv("PRISM_ENCODER_PRODUCTS", mode, 1);
        models::WhisperEncoder e = load_encoder(file);
        ::unsetenv("PRISM_ENCODER_PRODUCTS");
        e.upload(windows[0]);
        // 3 stretches of 71 mel frames and one of 37: 36 + 36 + 36 + 19 = 127 encoder frames,
        // more than ceil(250 / 2) = 125.
        const models::WhisperEncodeSpan cut{10, 250, 0, 1, 71};
        const std::int64_t n = models::WhisperEncoder::output_frames(250, 1, 71);
        ASSERT_EQ(n, 127);
        EXPECT_EQ(models::WhisperEncoder::output_frames(250, 2, 71), 63);
        auto whole = empty(TensorType::F32, {64, n, 1, 1});
        run([&](gpu::Recorder& rec) { e.record(rec, cut, whole); });
        const auto together = download(whole).data;
        std::int64_t row = 0;
        for (std::int64_t at = 0; at < 250; at += 71) {
            const std::int64_t frames = std::min<std::int64_t>(71, 250 - at);
            const std::int64_t rows = models::WhisperEncoder::output_frames(frames, 1);
            auto alone = empty(TensorType::F32, {64, rows, 1, 1});
            run([&](gpu::Recorder& rec) { e.record(rec, {10 + at, frames, 0, 1}, alone); });
            const auto expected = download(alone).data;
            float worst = 0, peak = 0;
            for (std::size_t j = 0; j < expected.size(); ++j) {
                worst = std::max(worst, std::abs(expected[j] - together[row * 64 + j]));
                peak = std::max(peak, std::abs(expected[j]));
            }
            // The same arithmetic in one pass or several: equal up to f32 summation order.
            EXPECT_LT(worst, 1e-5f * peak) << "mode " << mode << ", stretch at " << at;
            row += rows;
        }
        EXPECT_EQ(row, n);
    }
}

TEST_F(WhisperEncoderTest, BadSpansAreOneLineErrorsNamingTheFile) {
    media::LogMelSpectrogram mel(80);
    const auto windows = mel.windows(std::vector<float>(16000, 0.1f));
    encoder.upload(windows[0]);
    auto out = empty(TensorType::F32, {64, 10, 1, 1});
    const auto error = [&](models::WhisperEncodeSpan span) -> std::string {
        try {
            auto rec = ctx().record();
            encoder.record(rec, span, out);
        } catch (const Error& e) {
            return e.what();
        }
        return "";
    };
    const std::string name = file.name();
    for (const auto& span :
         {models::WhisperEncodeSpan{0, 0, 0, 1}, models::WhisperEncodeSpan{2990, 20, 0, 1},
          models::WhisperEncodeSpan{0, 20, 11, 1}, models::WhisperEncodeSpan{0, 1, 0, 2},
          models::WhisperEncodeSpan{0, 20, 0, 3}, models::WhisperEncodeSpan{0, 20, 5, 1, 10}}) {
        const std::string message = error(span);
        EXPECT_EQ(message.rfind(name, 0), 0u) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    EXPECT_EQ(error({0, 20, 0, 1}), "");  // [64, 10]: the right size

    media::MelSpectrogram empty_mel;
    empty_mel.n_mel = 80;
    try {
        encoder.upload(empty_mel);
        ADD_FAILURE() << "an empty mel spectrogram was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("no sound"), std::string::npos) << e.what();
    }
    media::MelSpectrogram wrong_bins{128, 3000, std::vector<float>(128 * 3000)};
    EXPECT_THROW(encoder.upload(wrong_bins), Error);
}

}  // namespace
}  // namespace prism::test
