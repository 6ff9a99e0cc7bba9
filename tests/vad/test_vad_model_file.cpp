// Reading Silero VAD files: the real one, and every way a file can be wrong. Each bad file is
// a one-line prism::Error that starts with the file's name and says what is wrong; nothing
// crashes, hangs or allocates by a count read from the file.

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "prism/error.hpp"
#include "prism/vad/voice_activity_detector.hpp"
#include "support/special_files.hpp"
#include "support/test_files.hpp"
#include "vad_test_data.hpp"

namespace prism::vad {
namespace {

// Offsets in the real file (tools/make_vad_references.py's reader walks the same layout).
constexpr std::size_t kTypeLength = 4;     // int32 length of "silero-16k"
constexpr std::size_t kWindowField = 30;   // int32 window size
constexpr std::size_t kFirstTensor = 106;  // n_dims, name length, type, dims..., name, data
constexpr std::size_t kFirstTensorData = 166;

std::string error_of(std::span<const std::uint8_t> bytes, const std::string& name = "vad.bin") {
    try {
        VoiceActivityDetector::from_bytes(bytes, name);
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

void expect_error(const std::string& message, const std::string& name, const std::string& part) {
    EXPECT_EQ(message.rfind(name + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

std::vector<std::uint8_t> real_bytes() {
    return test::file_bytes(test::vad_model_path());
}

void put_i32(std::vector<std::uint8_t>& bytes, std::size_t at, std::int32_t v) {
    std::memcpy(bytes.data() + at, &v, 4);
}

TEST(VadModelFile, ReadsTheRealFile) {
    const VoiceActivityDetector vad = VoiceActivityDetector::load(test::vad_model_path());
    EXPECT_EQ(vad.version(), "6.2.0");
}

TEST(VadModelFile, TruncatedAnywhere) {
    const std::vector<std::uint8_t> bytes = real_bytes();
    // Every cut in the header and the first tensor's header, then cuts through the data.
    std::vector<std::size_t> cuts;
    for (std::size_t n = 1; n < kFirstTensorData + 8; ++n) cuts.push_back(n);
    for (std::size_t n = kFirstTensorData + 8; n < bytes.size(); n += 7919) cuts.push_back(n);
    cuts.push_back(bytes.size() - 1);
    for (const std::size_t n : cuts) {
        const std::string message = error_of(std::span(bytes).first(n));
        const bool said = message.find("truncated") != std::string::npos;
        EXPECT_TRUE(said) << "cut at " << n << ": " << message;
        if (!said) break;
        expect_error(message, "vad.bin", "truncated");
    }
}

TEST(VadModelFile, WrongFiles) {
    expect_error(error_of({}), "vad.bin", "empty file");
    const std::vector<std::uint8_t> gguf = test::file_bytes(test::demo_model());
    expect_error(error_of(gguf, "stories260K.gguf"), "stories260K.gguf", "a GGUF file");
    const std::vector<std::uint8_t> wav = test::file_bytes(test::vad_reference("jfk").audio);
    expect_error(error_of(wav, "jfk.wav"), "jfk.wav", "not a Silero VAD model");

    // A Whisper model in whisper.cpp's ggml format: the same magic, then its hyperparameters.
    std::vector<std::uint8_t> whisper(64, 0);
    put_i32(whisper, 0, 0x67676d6c);
    put_i32(whisper, 4, 51864);  // n_vocab of Whisper's English models
    expect_error(error_of(whisper), "vad.bin", "a Whisper model, perhaps");

    std::mt19937 rng(1);
    std::vector<std::uint8_t> garbage(4096);
    for (auto& b : garbage) b = static_cast<std::uint8_t>(rng());
    expect_error(error_of(garbage), "vad.bin", "not a Silero VAD model");
}

TEST(VadModelFile, DamagedFields) {
    const std::vector<std::uint8_t> real = real_bytes();
    const auto with = [&real](std::size_t at, std::int32_t v) {
        std::vector<std::uint8_t> b = real;
        put_i32(b, at, v);
        return b;
    };
    expect_error(error_of(with(kTypeLength, 1 << 30)), "vad.bin", "not a Silero VAD model");
    expect_error(error_of(with(kTypeLength + 4 + 10, 4)), "vad.bin", "version 4.2.0");
    expect_error(error_of(with(kWindowField, 256)), "vad.bin", "window size is 256");
    expect_error(error_of(with(kFirstTensor, 9)), "vad.bin", "9 dimensions");
    expect_error(error_of(with(kFirstTensor + 4, 1 << 30)), "vad.bin", "tensor name of");
    expect_error(error_of(with(kFirstTensor + 8, 7)), "vad.bin", "tensor type 7");
    expect_error(error_of(with(kFirstTensor + 12, 1 << 30)), "vad.bin", "tensor dimension");
    expect_error(error_of(with(kFirstTensor + 12, 4)), "vad.bin", "has shape [128, 129, 4]");
    expect_error(error_of(with(kFirstTensor + 12, -3)), "vad.bin", "tensor dimension -3");

    std::vector<std::uint8_t> renamed = real;
    renamed[kFirstTensor + 24] = 'X';  // "_model.encoder..." -> "Xmodel.encoder..."
    expect_error(error_of(renamed), "vad.bin", "unexpected tensor 'Xmodel.encoder.0");

    // The first tensor (header and data) once more at the end.
    std::vector<std::uint8_t> twice = real;
    twice.insert(twice.end(), real.begin() + kFirstTensor,
                 real.begin() + kFirstTensorData + 128 * 129 * 3 * 2);
    expect_error(error_of(twice), "vad.bin", "appears twice");

    std::vector<std::uint8_t> nan = real;
    put_i32(nan, real.size() - 4, 0x7fc00000);  // the STFT basis' last two f16 values
    expect_error(error_of(nan), "vad.bin", "not finite");
}

TEST(VadModelFile, RandomMutantsNeverCrash) {
    const std::vector<std::uint8_t> real = real_bytes();
    std::mt19937 rng(7);
    int refused = 0;
    for (int i = 0; i < 200; ++i) {
        std::vector<std::uint8_t> b(real.begin(), real.begin() + kFirstTensorData + 64);
        const int flips = std::uniform_int_distribution<>(1, 4)(rng);
        for (int f = 0; f < flips; ++f) {
            b[std::uniform_int_distribution<std::size_t>(0, b.size() - 1)(rng)] ^=
                static_cast<std::uint8_t>(1u << std::uniform_int_distribution<>(0, 7)(rng));
        }
        b.insert(b.end(), real.begin() + static_cast<std::ptrdiff_t>(kFirstTensorData + 64),
                 real.end());
        const std::string message = error_of(b);
        if (!message.empty()) {
            ++refused;
            EXPECT_EQ(message.rfind("vad.bin: ", 0), 0u) << message;
        }
    }
    EXPECT_GT(refused, 60);
}

TEST(VadModelFile, SpecialFilesAreRefused) {
    const test::TempFolder dir("prism-vad-special");
    const auto fifo = dir.fifo("model.bin");
    const std::string message =
        test::error_without_blocking([&fifo] { VoiceActivityDetector::load(fifo); }, fifo);
    expect_error(message, fifo.string(), "not a regular file (a FIFO)");
    try {
        VoiceActivityDetector::load(dir.path());
        ADD_FAILURE() << "a folder was read";
    } catch (const Error& e) {
        expect_error(e.what(), dir.path().string(), "a folder");
    }
    const auto missing = dir / "missing.bin";
    try {
        VoiceActivityDetector::load(missing);
        ADD_FAILURE() << "a missing file was read";
    } catch (const Error& e) {
        expect_error(e.what(), missing.string(), "No such file");
    }
}

}  // namespace
}  // namespace prism::vad
