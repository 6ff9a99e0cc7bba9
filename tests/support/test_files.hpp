#pragma once

// Where the tests' input files are. Everything a test needs is in the repository (tests/data and
// the demo model in resources/models) except the real trained models, which
// tools/fetch_models.py downloads into a cache outside it.

#include <filesystem>
#include <optional>
#include <string>

namespace prism::test {

// tests/data/<relative>.
std::filesystem::path test_data(const std::string& relative);

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
