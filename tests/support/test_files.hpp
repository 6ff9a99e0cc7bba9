#pragma once

// Where the tests' input files are. Everything a test needs is in the repository (tests/data and
// the demo model in resources/models) except the real trained models, which
// tools/fetch_models.py downloads into a cache outside it.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace prism::test {

// tests/data/<relative>.
std::filesystem::path test_data(const std::string& relative);

// A reference file of little-endian float32 values (the fixtures' *.f32). Throws
// std::runtime_error naming the file when it cannot be read.
std::vector<float> read_f32(const std::filesystem::path& path);

// The integers of the flat list after "key": in a small JSON file (the fixtures' prompt.json).
// Throws std::runtime_error naming the file and the key when the key is absent.
std::vector<std::int32_t> json_ints(const std::filesystem::path& path, const std::string& key);

// resources/models/stories260K.gguf, the demo model shipped with the app.
std::filesystem::path demo_model();

// The real models tools/fetch_models.py fetches.
inline constexpr const char* kSmolLM2File = "SmolLM2-135M-Instruct.Q4_1.gguf";
inline constexpr const char* kGemma3File = "gemma-3-270m-q4_k_m.gguf";
inline constexpr const char* kWhisperTinyEnFile = "whisper-tiny.en.gguf";
// The same weights in whisper.cpp's container (tools/convert_ct2_to_whisper_ggml.py).
inline constexpr const char* kWhisperTinyEnGgmlFile = "ggml-tiny.en.bin";

// $PRISM_MODEL_CACHE, or ~/.cache/prism/models: where tools/fetch_models.py puts the real models.
std::filesystem::path model_cache();

// The fetched model `file_name`, or nullopt when it is not there (the caller skips and says
// "<path> is absent (fetch it with tools/fetch_models.py)", the text real_model_absent gives).
std::optional<std::filesystem::path> real_model(const std::string& file_name);
std::string real_model_absent(const std::string& file_name);

}  // namespace prism::test
