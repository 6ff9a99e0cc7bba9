// Every audio format decodes to 16 kHz mono float of the right length, as the ffmpeg tool
// decodes it, and close to the sound it was made from.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "audio_test_data.hpp"
#include "media_test_data.hpp"
#include "prism/media/audio.hpp"
#include "support/special_files.hpp"

namespace prism::media {
namespace {

using test::audio_fixture;

// The fixtures derived from the first second of 2830-3980-0043.wav.
struct DerivedFixture {
    const char* file;
    int source_rate;
    int source_channels;
    const char* codec;
    double gain;  // of the mono mix relative to the source: stereo files carry the speech at
                  // 1 (left) and 0.5 (right), so their mean is 0.75
    bool lossy;
};

const DerivedFixture derived_fixtures[] = {
    {"speech_u8_8k.wav", 8000, 1, "pcm_u8", 1.0, false},
    {"speech_s24_22k.wav", 22050, 1, "pcm_s24le", 1.0, false},
    {"speech_s32_16k.wav", 16000, 1, "pcm_s32le", 1.0, false},
    {"speech_f32_11k.wav", 11025, 1, "pcm_f32le", 1.0, false},
    {"speech_16k.flac", 16000, 1, "flac", 1.0, false},
    {"speech_44k_stereo.flac", 44100, 2, "flac", 0.75, false},
    {"speech_44k_stereo.mp3", 44100, 2, "mp3float", 0.75, true},
    {"speech_16k.ogg", 16000, 1, "vorbis", 1.0, true},
    {"speech_48k.opus", 48000, 1, "opus", 1.0, true},
    {"speech_44k_stereo.m4a", 44100, 2, "aac", 0.75, true},
    {"speech_16k.aac", 16000, 1, "aac", 1.0, true},
    {"speech_44k_stereo.aac", 44100, 2, "aac", 0.75, true},
    {"speech_video.mp4", 44100, 1, "aac", 1.0, true},
    {"speech_video.webm", 48000, 1, "vorbis", 1.0, true},
};

// Measured below 3 kHz against the source once aligned (see the test): correlation >= 0.9995
// and gain within 0.6% for the PCM and FLAC files (the 8-bit one is the worst), correlation
// >= 0.994 and gain within 4.6% for the lossy ones (the 44.1 kHz stereo MP3 and M4A are the
// worst).
constexpr double min_correlation_lossless = 0.999, max_gain_error_lossless = 0.01;
constexpr double min_correlation_lossy = 0.99, max_gain_error_lossy = 0.06;

// The decoded length may differ from the source's by the codec's delay and padding, which
// lossy encoders add and containers do not always remove.
constexpr double max_length_difference_seconds = 0.1;
// The RMS of each 100-ms block against the ffmpeg tool's decode: the same FFmpeg libraries, so
// only rounding differs (measured at most 5e-8; the reference keeps 7 digits).
constexpr double max_block_rms_difference = 1e-6;

std::vector<float> first_second_of_master() {
    const Audio master = decode_audio_file(audio_fixture("2830-3980-0043.wav"));
    return {master.samples.begin(), master.samples.begin() + 16000};
}

TEST(AudioDecodeFormats, EveryFileDecodesAsTheFfmpegToolDoes) {
    const auto references = test::decoded_references();
    ASSERT_GE(references.size(), 20u);
    for (const auto& reference : references) {
        SCOPED_TRACE(reference.file);
        const Audio audio = decode_audio_file(audio_fixture(reference.file));
        EXPECT_EQ(audio.sample_rate, 16000);
        EXPECT_EQ(audio.samples.size(), reference.samples);
        EXPECT_EQ(audio.name, audio_fixture(reference.file).string());
        const auto blocks = test::block_rms(audio.samples);
        ASSERT_EQ(blocks.size(), reference.block_rms.size());
        double worst = 0;
        for (std::size_t i = 0; i < blocks.size(); ++i) {
            worst = std::max(worst, std::abs(blocks[i] - reference.block_rms[i]));
        }
        EXPECT_LE(worst, max_block_rms_difference);
        float peak = 0;
        for (const float s : audio.samples) peak = std::max(peak, std::abs(s));
        EXPECT_EQ(audio.peak, peak);
    }
}

TEST(AudioDecodeFormats, SixteenBitWavIsExact) {
    // 16-bit PCM at 16 kHz needs neither resampling nor mixing: each sample is s16 / 32768.
    const auto bytes = test::read_bytes(audio_fixture("jfk.wav"));
    const Audio audio = decode_audio_file(audio_fixture("jfk.wav"));
    ASSERT_EQ(audio.samples.size(), 176000u);
    EXPECT_EQ(audio.source_codec, "pcm_s16le");
    const std::size_t data = bytes.size() - 176000 * 2;  // the sound is the last chunk
    for (std::size_t i = 0; i < audio.samples.size(); i += 997) {
        const auto value =
            std::int16_t(std::uint16_t(bytes[data + 2 * i] | (bytes[data + 2 * i + 1] << 8)));
        ASSERT_EQ(audio.samples[i], float(value) / 32768.0f) << i;
    }
}

TEST(AudioDecodeFormats, EveryFormatMatchesTheSoundItWasMadeFrom) {
    const std::vector<float> source = first_second_of_master();
    for (const DerivedFixture& fixture : derived_fixtures) {
        SCOPED_TRACE(fixture.file);
        const Audio audio = decode_audio_file(audio_fixture(fixture.file));
        EXPECT_EQ(audio.sample_rate, 16000);
        EXPECT_EQ(audio.source_sample_rate, fixture.source_rate);
        EXPECT_EQ(audio.source_channels, fixture.source_channels);
        EXPECT_EQ(audio.source_codec, fixture.codec);
        EXPECT_NEAR(audio.duration_seconds(), 1.0, max_length_difference_seconds);
        // Below 3 kHz, which every fixture keeps (the 8-kHz WAV keeps nothing above 4 kHz,
        // the lossy codecs at these bit rates little above 5 kHz).
        const test::Alignment match =
            test::align(test::low_pass(source, 3000), test::low_pass(audio.samples, 3000), 2000);
        EXPECT_GE(match.correlation,
                  fixture.lossy ? min_correlation_lossy : min_correlation_lossless)
            << "lag " << match.lag;
        EXPECT_NEAR(match.gain / fixture.gain, 1.0,
                    fixture.lossy ? max_gain_error_lossy : max_gain_error_lossless)
            << "lag " << match.lag;
    }
}

TEST(AudioDecodeFormats, LosslessSixteenKilohertzFilesGiveTheSourceSamples) {
    const std::vector<float> source = first_second_of_master();
    for (const char* file : {"speech_16k.flac", "speech_s32_16k.wav"}) {
        SCOPED_TRACE(file);
        const Audio audio = decode_audio_file(audio_fixture(file));
        ASSERT_EQ(audio.samples.size(), source.size());
        EXPECT_TRUE(std::equal(source.begin(), source.end(), audio.samples.begin()));
    }
}

TEST(AudioDecodeFormats, MemoryGivesWhatTheFileGives) {
    for (const auto& reference : test::decoded_references()) {
        SCOPED_TRACE(reference.file);
        const auto path = audio_fixture(reference.file);
        const Audio from_file = decode_audio_file(path);
        const auto bytes = test::read_bytes(path);
        const Audio from_memory = decode_audio_memory(bytes, "recording");
        EXPECT_EQ(from_memory.name, "recording");
        EXPECT_EQ(from_memory.samples, from_file.samples);
        EXPECT_EQ(from_memory.source_codec, from_file.source_codec);
        EXPECT_EQ(from_memory.peak, from_file.peak);
    }
}

TEST(AudioDecodeFormats, TheExtensionDoesNotMatter) {
    const auto bytes = test::read_bytes(audio_fixture("speech_16k.flac"));
    const test::TempFolder dir("prism-audio-extension");
    const Audio audio = decode_audio_file(dir.write("speech.mp3", bytes));
    EXPECT_EQ(audio.source_codec, "flac");
    EXPECT_EQ(audio.samples.size(), 16000u);
}

TEST(AudioDecodeFormats, SoundThatEndsBeforeThePictureIsWhole) {
    // speech_video.webm: two seconds of picture, one of sound; the file lasts two seconds.
    const Audio audio = decode_audio_file(audio_fixture("speech_video.webm"));
    EXPECT_NEAR(audio.duration_seconds(), 1.0, max_length_difference_seconds);
}

TEST(AudioDecodeFormats, AStreamThatChangesRateAndChannelsMidwayDecodesWhole) {
    // ADTS frames each state their rate and channels: 16 kHz mono, then 44.1 kHz stereo.
    const auto mono = test::read_bytes(audio_fixture("speech_16k.aac"));
    const auto stereo = test::read_bytes(audio_fixture("speech_44k_stereo.aac"));
    std::vector<std::uint8_t> both = mono;
    both.insert(both.end(), stereo.begin(), stereo.end());
    const Audio first = decode_audio_memory(mono, "mono.aac");
    const Audio second = decode_audio_memory(stereo, "stereo.aac");
    const Audio chained = decode_audio_memory(both, "chained.aac");
    EXPECT_EQ(chained.source_sample_rate, 44100);
    EXPECT_EQ(chained.source_channels, 2);
    // The first part is decoded and drained exactly as on its own.
    ASSERT_GT(chained.samples.size(), first.samples.size());
    EXPECT_TRUE(std::equal(first.samples.begin(), first.samples.end(), chained.samples.begin()));
    EXPECT_NEAR(double(chained.samples.size()),
                double(first.samples.size() + second.samples.size()), 0.01 * 16000);
    const std::span<const float> rest(chained.samples.data() + first.samples.size(),
                                      chained.samples.size() - first.samples.size());
    EXPECT_GT(test::align(test::low_pass(second.samples, 3000), test::low_pass(rest, 3000), 200)
                  .correlation,
              0.99);
}

TEST(AudioDecodeFormats, SilenceDecodesWithPeakZero) {
    // Silence is not a decoding error; callers read `peak` to say that a recording is silent.
    const Audio audio = decode_audio_file(audio_fixture("silence_16k.wav"));
    EXPECT_EQ(audio.samples.size(), 8000u);
    EXPECT_EQ(audio.peak, 0.0f);
    EXPECT_TRUE(
        std::all_of(audio.samples.begin(), audio.samples.end(), [](float s) { return s == 0.0f; }));
}

// A WAV with 3 channels and no channel mask: FFmpeg knows no names for them, so each counts
// equally in the mix.
std::vector<std::uint8_t> three_channel_wav(const std::vector<std::int16_t>& interleaved) {
    const auto data_bytes = std::uint32_t(interleaved.size() * 2);
    std::vector<std::uint8_t> out;
    const auto put32 = [&](std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(v >> (8 * i)));
    };
    const auto put16 = [&](std::uint16_t v) {
        out.push_back(std::uint8_t(v));
        out.push_back(std::uint8_t(v >> 8));
    };
    const auto tag = [&](const char* t) {
        for (int i = 0; i < 4; ++i) out.push_back(std::uint8_t(t[i]));
    };
    tag("RIFF");
    put32(36 + data_bytes);
    tag("WAVE");
    tag("fmt ");
    put32(16);
    put16(1);  // PCM
    put16(3);
    put32(16000);
    put32(16000 * 6);
    put16(6);
    put16(16);
    tag("data");
    put32(data_bytes);
    for (const std::int16_t s : interleaved) put16(std::uint16_t(s));
    return out;
}

TEST(AudioDecodeFormats, ChannelsWithoutNamesAreAveraged) {
    std::vector<std::int16_t> interleaved;
    for (int i = 0; i < 1600; ++i) {
        const auto a = std::int16_t(3000 * std::sin(i * 0.05));
        interleaved.insert(interleaved.end(), {a, a, std::int16_t(-a)});
    }
    const Audio audio = decode_audio_memory(three_channel_wav(interleaved), "three");
    EXPECT_EQ(audio.source_channels, 3);
    ASSERT_EQ(audio.samples.size(), 1600u);
    for (std::size_t i = 0; i < audio.samples.size(); ++i) {
        const float expected = float(interleaved[3 * i]) / 32768.0f / 3.0f;
        ASSERT_NEAR(audio.samples[i], expected, 1e-6) << i;
    }
}

}  // namespace
}  // namespace prism::media
