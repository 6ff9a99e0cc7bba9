// Prism's log-mel against transformers' WhisperFeatureExtractor on every speech clip, with 80
// and 128 mel bins, including a 33-s signal that takes two 30-s windows.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "audio_test_data.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/log_mel.hpp"

namespace prism::media {
namespace {

using test::audio_fixture;

// Largest |Prism - transformers| over every compared value, in normalised units (the features
// span about 2). Measured 1.2e-7 (one float step near 1) on every clip and window with both bin
// counts, jfk.mp3 included (decoded by Prism here, by the ffmpeg tool for the reference); the
// bound leaves room for other CPUs' FFmpeg decoders and libm.
constexpr double tolerance = 1e-5;

struct Clip {
    const char* reference;  // <reference>.mel<n>.ref
    const char* file;
    int repeats;  // the signal is the file's sound this many times over
};

const Clip clips[] = {
    {"jfk_wav", "jfk.wav", 1},
    {"jfk_mp3", "jfk.mp3", 1},
    {"2830-3980-0043_wav", "2830-3980-0043.wav", 1},
    {"4507-16021-0012_wav", "4507-16021-0012.wav", 1},
    {"8455-210777-0068_wav", "8455-210777-0068.wav", 1},
    {"jfk_x3", "jfk.wav", 3},
};

std::vector<float> clip_samples(const Clip& clip) {
    const Audio audio = decode_audio_file(audio_fixture(clip.file));
    std::vector<float> samples;
    for (int i = 0; i < clip.repeats; ++i) {
        samples.insert(samples.end(), audio.samples.begin(), audio.samples.end());
    }
    return samples;
}

// The largest difference between one normalised window and its reference.
double window_difference(const MelSpectrogram& mel, const test::MelReferenceWindow& reference) {
    double worst = 0;
    const auto note = [&](double a, double b) { worst = std::max(worst, std::abs(a - b)); };
    for (int t = 0; t < mel.n_frames; ++t) {
        if (t < reference.content_frames) {
            double sum = 0;
            for (int m = 0; m < mel.n_mel; ++m) sum += mel.at(m, t);
            note(sum / mel.n_mel, reference.frame_mean[std::size_t(t)]);
        } else {
            for (int m = 0; m < mel.n_mel; ++m) note(mel.at(m, t), reference.tail_value);
        }
    }
    for (std::size_t i = 0; i < reference.frames.size(); ++i) {
        for (int m = 0; m < mel.n_mel; ++m) {
            note(mel.at(m, reference.frames[i]), reference.values[i][std::size_t(m)]);
        }
    }
    return worst;
}

void expect_matches_transformers(int n_mel) {
    LogMelSpectrogram log_mel(n_mel);
    for (const Clip& clip : clips) {
        SCOPED_TRACE(clip.reference);
        const test::MelReference reference = test::mel_reference(clip.reference, n_mel);
        ASSERT_EQ(reference.n_mel, n_mel);
        const std::vector<float> samples = clip_samples(clip);
        const std::vector<MelSpectrogram> windows = log_mel.windows(samples);
        ASSERT_EQ(windows.size(), reference.windows.size());
        for (std::size_t w = 0; w < windows.size(); ++w) {
            SCOPED_TRACE("window " + std::to_string(w));
            ASSERT_EQ(windows[w].n_mel, n_mel);
            ASSERT_EQ(windows[w].n_frames, 3000);
            const double difference = window_difference(windows[w], reference.windows[w]);
            EXPECT_LE(difference, tolerance);
            std::printf("log-mel %d bins, %s window %zu: max |Prism - transformers| = %.2g\n",
                        n_mel, clip.reference, w, difference);
        }
    }
}

TEST(LogMelReference, EightyBinsMatchTransformers) {
    expect_matches_transformers(80);
}

TEST(LogMelReference, HundredTwentyEightBinsMatchTransformers) {
    expect_matches_transformers(128);
}

TEST(LogMelReference, WindowsAreThirtySecondsEach) {
    LogMelSpectrogram log_mel(80);
    EXPECT_TRUE(log_mel.windows({}).empty());
    EXPECT_EQ(log_mel.windows(std::vector<float>(1, 0.5f)).size(), 1u);
    EXPECT_EQ(log_mel.windows(std::vector<float>(480000, 0.1f)).size(), 1u);
    EXPECT_EQ(log_mel.windows(std::vector<float>(480001, 0.1f)).size(), 2u);
    const MelSpectrogram raw = log_mel.raw(std::vector<float>(480001, 0.1f));
    EXPECT_EQ(raw.n_frames, 6000);
    EXPECT_EQ(raw.data.size(), 80u * 6000u);
}

TEST(LogMelReference, SilenceIsTheFloorEverywhere) {
    // All zeros: every raw value is log10(1e-10) = -10, the clamp leaves it, (v + 4) / 4 = -1.5.
    LogMelSpectrogram log_mel(128);
    const auto windows = log_mel.windows(std::vector<float>(16000, 0.0f));
    ASSERT_EQ(windows.size(), 1u);
    EXPECT_TRUE(std::all_of(windows[0].data.begin(), windows[0].data.end(),
                            [](float v) { return v == -1.5f; }));
}

TEST(LogMelReference, UnsupportedBinCountsAreRefused) {
    EXPECT_THROW(LogMelSpectrogram(0), Error);
    EXPECT_THROW(LogMelSpectrogram(257), Error);
    EXPECT_THROW(StreamingLogMel(-1), Error);
}

}  // namespace
}  // namespace prism::media
