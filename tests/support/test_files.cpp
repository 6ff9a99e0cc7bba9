#include "support/test_files.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace prism::test {

std::filesystem::path test_data(const std::string& relative) {
    return std::filesystem::path(PRISM_TEST_DATA_DIR) / relative;
}

std::vector<float> read_f32(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    std::vector<float> out(bytes.size() / sizeof(float));
    std::copy_n(bytes.data(), out.size() * sizeof(float), reinterpret_cast<char*>(out.data()));
    return out;
}

std::vector<std::int32_t> json_ints(const std::filesystem::path& path, const std::string& key) {
    std::ifstream in(path);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    const std::size_t at = text.find("\"" + key + "\"");
    if (at == std::string::npos) throw std::runtime_error(path.string() + ": no " + key);
    const std::size_t open = text.find('[', at), close = text.find(']', at);
    std::string list = text.substr(open + 1, close - open - 1);
    std::replace(list.begin(), list.end(), ',', ' ');
    std::istringstream values(list);
    std::vector<std::int32_t> out;
    for (std::int32_t v = 0; values >> v;) out.push_back(v);
    return out;
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
