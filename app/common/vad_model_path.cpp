#include "common/vad_model_path.hpp"

#include <cstdlib>
#include <fstream>
#include <system_error>
#include <vector>

namespace prism::app {
namespace {

constexpr const char* kFile = "models/silero-v6.2.0-ggml.bin";

bool readable_file(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec) && std::ifstream(p).good();
}

}  // namespace

std::filesystem::path default_vad_model() {
    if (const char* env = std::getenv("PRISM_VAD_MODEL"); env != nullptr && *env != 0) return env;
    std::vector<std::filesystem::path> candidates;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        candidates.push_back(exe.parent_path() / ".." / PRISM_INSTALL_DATA_RELATIVE / kFile);
    }
    candidates.push_back(std::filesystem::path(PRISM_INSTALL_DATA_DIR) / kFile);
    candidates.push_back(std::filesystem::path(PRISM_SOURCE_RESOURCES_DIR) / kFile);
    for (const auto& c : candidates) {
        if (readable_file(c)) return c.lexically_normal();
    }
    return {};
}

}  // namespace prism::app
