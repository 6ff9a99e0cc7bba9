// Bad audio input is a one-line MediaError that starts with the file name (or the caller's
// label) and says what is wrong; nothing crashes, hangs or grows past the limits.

#include <gtest/gtest.h>

#include <random>

#include "audio_test_data.hpp"
#include "media_test_data.hpp"
#include "prism/media/audio.hpp"
#include "support/mutants.hpp"
#include "support/special_files.hpp"

namespace prism::media {
namespace {

using test::audio_fixture;

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// The MediaError message of decoding `bytes` ("" when it decoded).
std::string memory_error(std::span<const std::uint8_t> bytes, const std::string& name,
                         const AudioDecodeLimits& limits = {}) {
    try {
        decode_audio_memory(bytes, name, limits);
        return "";
    } catch (const MediaError& e) {
        return e.what();
    }
}

std::string file_error(const std::filesystem::path& path, const AudioDecodeLimits& limits = {}) {
    try {
        decode_audio_file(path, limits);
        return "";
    } catch (const MediaError& e) {
        return e.what();
    }
}

// Checks that the message is one line starting with "name: " and containing `part`.
void expect_error(const std::string& message, const std::string& name, const std::string& part) {
    EXPECT_EQ(message.rfind(name + ": ", 0), 0u) << message;
    EXPECT_TRUE(contains(message, part)) << message;
    EXPECT_FALSE(contains(message, "\n")) << message;
}

TEST(AudioDecodeErrors, EmptyFileAndBuffer) {
    const test::TempFolder dir("prism-audio-empty");
    const auto path = dir.write("empty.wav", {});
    expect_error(file_error(path), path.string(), "the file is empty");
    expect_error(memory_error({}, "recording"), "recording", "the file is empty");
}

TEST(AudioDecodeErrors, MissingFile) {
    const auto path = audio_fixture("does_not_exist.wav");
    expect_error(file_error(path), path.string(), "No such file");
}

TEST(AudioDecodeErrors, OnlyRegularFilesAreRead) {
    const test::TempFolder dir("prism-audio-special");
    expect_error(file_error(dir.path()), dir.path().string(), "not a regular file");
    // Opening a FIFO with no writer would block a plain open; it is refused at once.
    const auto fifo = dir.fifo("pipe.wav");
    expect_error(file_error(fifo), fifo.string(), "not a regular file");
    expect_error(file_error("/dev/zero"), "/dev/zero", "not a regular file");
}

TEST(AudioDecodeErrors, GarbageNamedWav) {
    std::mt19937 random(7);
    std::vector<std::uint8_t> garbage(4096);
    for (auto& b : garbage) b = std::uint8_t(random());
    const test::TempFolder dir("prism-audio-garbage");
    const auto path = dir.write("noise.wav", garbage);
    expect_error(file_error(path), path.string(), "not a recognised audio file");
}

TEST(AudioDecodeErrors, TextNamedMp3) {
    const std::string text = "This is a note about a meeting, not a recording.\n";
    const test::TempFolder dir("prism-audio-text");
    const auto path =
        dir.write("meeting.mp3", {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    expect_error(file_error(path), path.string(), "not a recognised audio file");
}

TEST(AudioDecodeErrors, AnImageIsNotAudio) {
    const auto path = test::image_fixture("cat.png");
    expect_error(file_error(path), path.string(), "not an audio format Prism reads");
}

TEST(AudioDecodeErrors, VideoWithoutSound) {
    const auto path = audio_fixture("video_no_audio.mp4");
    expect_error(file_error(path), path.string(), "the file has no sound track");
}

TEST(AudioDecodeErrors, TruncatedFilesAreRefusedAsTruncated) {
    const char* files[] = {"jfk.wav",          "speech_s24_22k.wav",    "speech_u8_8k.wav",
                           "jfk.mp3",          "speech_16k.flac",       "speech_16k.ogg",
                           "speech_48k.opus",  "speech_44k_stereo.m4a", "speech_video.mp4",
                           "speech_video.webm"};
    for (const char* file : files) {
        const auto bytes = test::read_bytes(audio_fixture(file));
        for (const double fraction : {0.25, 0.5, 0.9}) {
            SCOPED_TRACE(std::string(file) + " cut at " + std::to_string(fraction));
            const auto cut = std::size_t(double(bytes.size()) * fraction);
            expect_error(memory_error({bytes.data(), cut}, file), file, "truncated");
        }
        SCOPED_TRACE(std::string(file) + " cut at 40 bytes");
        expect_error(memory_error({bytes.data(), 40}, file), file, "truncated");
    }
}

TEST(AudioDecodeErrors, EveryCutPointIsHandled) {
    // WAV, FLAC, MP4 and WebM state their sizes or lengths: every cut is refused. MP3, Ogg and
    // ADTS cut within their last frames decode shorter; any cut is at least handled.
    const std::pair<const char*, bool> files[] = {
        {"speech_s32_16k.wav", true}, {"speech_16k.flac", true},   {"speech_44k_stereo.m4a", true},
        {"speech_video.mp4", true},   {"speech_video.webm", true}, {"speech_44k_stereo.mp3", false},
        {"speech_16k.ogg", false},    {"speech_48k.opus", false},  {"speech_16k.aac", false},
    };
    for (const auto& [file, always_refused] : files) {
        const auto bytes = test::read_bytes(audio_fixture(file));
        for (int k = 1; k < 32; ++k) {
            SCOPED_TRACE(std::string(file) + " cut at " + std::to_string(k) + "/32");
            const std::string message = memory_error({bytes.data(), bytes.size() * k / 32}, file);
            if (always_refused || !message.empty()) expect_error(message, file, "");
        }
    }
}

TEST(AudioDecodeErrors, AdtsStreamsAreTruncatedOnlyInsideAFrame) {
    // A raw ADTS stream states no total length, only each frame's: cut between two frames it
    // is a valid shorter stream, cut inside a frame it is refused.
    const auto bytes = test::read_bytes(audio_fixture("speech_16k.aac"));
    std::vector<std::size_t> frame_starts;
    for (std::size_t at = 0; at + 7 <= bytes.size();) {
        ASSERT_EQ(bytes[at], 0xFF);
        frame_starts.push_back(at);
        at += ((bytes[at + 3] & 3u) << 11) | (bytes[at + 4] << 3) | (bytes[at + 5] >> 5);
    }
    ASSERT_GT(frame_starts.size(), 8u);
    const std::size_t boundary = frame_starts[frame_starts.size() / 2];
    const Audio shorter = decode_audio_memory({bytes.data(), boundary}, "cut.aac");
    EXPECT_LT(shorter.duration_seconds(), 0.7);
    expect_error(memory_error({bytes.data(), boundary + 20}, "cut.aac"), "cut.aac", "truncated");
}

TEST(AudioDecodeErrors, TruncatedWavSaysHowMuchIsMissing) {
    const auto bytes = test::read_bytes(audio_fixture("jfk.wav"));
    const std::string message = memory_error({bytes.data(), bytes.size() / 2}, "jfk.wav");
    expect_error(message, "jfk.wav", "the file is truncated: it holds 5.50 s of the 11.0 s");
}

// speech_16k.flac with its STREAMINFO claiming `samples` samples (a 36-bit field).
std::vector<std::uint8_t> flac_claiming(std::uint64_t samples) {
    auto bytes = test::read_bytes(audio_fixture("speech_16k.flac"));
    // "fLaC", block header (4), min/max block size (4), min/max frame size (6), then 20 bits of
    // rate, 3 of channels, 5 of bits per sample and 36 of total samples.
    std::uint8_t* field = bytes.data() + 8 + 4 + 6 + 2;
    field[1] = std::uint8_t((field[1] & 0xF0) | ((samples >> 32) & 0x0F));
    for (int i = 0; i < 4; ++i) field[2 + i] = std::uint8_t(samples >> (24 - 8 * i));
    return bytes;
}

TEST(AudioDecodeErrors, OverLongByItsHeaderIsRefusedBeforeDecoding) {
    EXPECT_EQ(AudioDecodeLimits{}.max_seconds, 2.0 * 60 * 60);
    // The unpatched file declares its true length: it decodes.
    EXPECT_EQ(memory_error(flac_claiming(16000), "speech.flac"), "");
    const std::uint64_t three_hours = 3ull * 3600 * 16000;
    expect_error(memory_error(flac_claiming(three_hours), "long.flac"), "long.flac",
                 "the sound lasts 3 h, over the limit of 2 h");
    expect_error(memory_error(test::read_bytes(audio_fixture("jfk.wav")), "jfk.wav", {10.0}),
                 "jfk.wav", "the sound lasts 11.0 s, over the limit of 10.0 s");
}

TEST(AudioDecodeErrors, OverLongWithoutADeclaredLengthIsStoppedWhileDecoding) {
    // ADTS AAC frames carry no total length; twenty copies of the 1-s stream make a valid
    // 20-s stream.
    const auto one = test::read_bytes(audio_fixture("speech_16k.aac"));
    std::vector<std::uint8_t> twenty;
    for (int i = 0; i < 20; ++i) twenty.insert(twenty.end(), one.begin(), one.end());
    const Audio whole = decode_audio_memory(twenty, "long.aac");
    EXPECT_GT(whole.duration_seconds(), 20.0);
    expect_error(memory_error(twenty, "long.aac", {5.0}), "long.aac",
                 "the sound goes on past the limit of 5.00 s");
}

TEST(AudioDecodeErrors, OverTheByteLimit) {
    const auto path = audio_fixture("jfk.wav");
    const auto bytes = test::read_bytes(path);
    AudioDecodeLimits limits;
    limits.max_bytes = 1000;
    expect_error(file_error(path, limits), path.string(),
                 "the file is 352078 bytes, over the limit of 1000 bytes");
    expect_error(memory_error(bytes, "jfk", limits), "jfk",
                 "the file is 352078 bytes, over the limit of 1000 bytes");
}

TEST(AudioDecodeErrors, NonFiniteFloatSamplesAreCorrupt) {
    auto bytes = test::read_bytes(audio_fixture("speech_f32_11k.wav"));
    // A NaN (0x7FC00000, little-endian) in the middle of the float samples.
    const std::size_t at = bytes.size() / 2 / 4 * 4;
    bytes[at] = 0x00, bytes[at + 1] = 0x00, bytes[at + 2] = 0xC0, bytes[at + 3] = 0x7F;
    expect_error(memory_error(bytes, "nan.wav"), "nan.wav", "not finite numbers");
}

// Seeded mutants of real files: bit flips anywhere and in the first 512 bytes (where the
// headers are), and cuts. Each decodes or is refused with a MediaError naming the file; what
// decodes stays within the limits.
TEST(AudioDecodeErrors, MutantsNeverCrash) {
    const char* files[] = {"speech_s24_22k.wav", "jfk.mp3",          "speech_16k.flac",
                           "speech_16k.ogg",     "speech_48k.opus",  "speech_44k_stereo.m4a",
                           "speech_video.webm",  "speech_16k.aac",   "speech_44k_stereo.mp3",
                           "speech_f32_11k.wav", "speech_video.mp4", "8455-210777-0068.wav"};
    AudioDecodeLimits limits;
    limits.max_seconds = 60;
    std::mt19937 random(20240611);
    int mutants = 0, decoded = 0;
    for (const char* file : files) {
        const auto original = test::read_bytes(audio_fixture(file));
        for (int i = 0; i < 25; ++i, ++mutants) {
            const auto bytes = test::seeded_mutant(original, i, random);
            const std::string name = std::string("mutant-") + file;
            try {
                const Audio audio = decode_audio_memory(bytes, name, limits);
                ++decoded;
                EXPECT_FALSE(audio.samples.empty());
                EXPECT_LE(audio.duration_seconds(), 60.0);
            } catch (const MediaError& e) {
                EXPECT_EQ(std::string(e.what()).rfind(name + ": ", 0), 0u) << e.what();
            }
        }
    }
    EXPECT_EQ(mutants, 300);
    std::printf("audio mutants: %d, decoded %d, refused %d\n", mutants, decoded, mutants - decoded);
}

}  // namespace
}  // namespace prism::media
