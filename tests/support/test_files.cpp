#include "support/test_files.hpp"

#include <cstdlib>

namespace prism::test {

std::filesystem::path test_data(const std::string& relative) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / relative;
}

std::filesystem::path demo_model() {
    return std::filesystem::path(PRISM_RESOURCES_DIR) / "models" / "stories260K.gguf";
}

std::filesystem::path model_cache() {
    if (const char* env = std::getenv("PRISM_MODEL_CACHE")) return env;
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : "/") / ".cache/prism/models";
}

std::optional<std::filesystem::path> real_model(const std::string& file_name) {
    const std::filesystem::path path = model_cache() / file_name;
    if (!std::filesystem::exists(path)) return std::nullopt;
    return path;
}

std::string real_model_absent(const std::string& file_name) {
    return (model_cache() / file_name).string() +
           " is absent (fetch it with tools/fetch_models.py)";
}

}  // namespace prism::test
