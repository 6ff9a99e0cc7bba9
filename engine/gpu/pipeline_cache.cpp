#include "gpu/pipeline_cache.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

namespace prism::gpu {

std::filesystem::path default_cache_dir() {
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
        return std::filesystem::path(xdg) / "prism";
    }
    if (const char* home = std::getenv("HOME"); home && *home) {
        return std::filesystem::path(home) / ".cache" / "prism";
    }
    return {};
}

namespace {

// The driver checks this header too, but some drivers crash on foreign data: check it first.
bool header_matches(const std::vector<char>& data, const VkPhysicalDeviceProperties& props) {
    if (data.size() < 16 + VK_UUID_SIZE) return false;
    std::uint32_t words[4];
    std::memcpy(words, data.data(), sizeof(words));
    return words[0] >= 16 + VK_UUID_SIZE && words[1] == VK_PIPELINE_CACHE_HEADER_VERSION_ONE &&
           words[2] == props.vendorID && words[3] == props.deviceID &&
           std::memcmp(data.data() + 16, props.pipelineCacheUUID, VK_UUID_SIZE) == 0;
}

}  // namespace

PipelineCache::PipelineCache(VkDevice device, VkPhysicalDevice physical, const DeviceInfo& info,
                             std::filesystem::path dir)
    : device_(device) {
    VkPhysicalDeviceProperties props{};
    vkGetPhysicalDeviceProperties(physical, &props);
    std::vector<char> data;
    if (!dir.empty()) {
        char name[96];
        std::snprintf(name, sizeof(name), "pipelines-%04x-%04x.bin", info.vendor_id,
                      info.device_id);
        file_ = dir / name;
        std::ifstream in(file_, std::ios::binary);
        if (in) data.assign(std::istreambuf_iterator<char>(in), {});
        if (!header_matches(data, props)) data.clear();
    }
    VkPipelineCacheCreateInfo ci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
    ci.initialDataSize = data.size();
    ci.pInitialData = data.empty() ? nullptr : data.data();
    VkPipelineCache cache = VK_NULL_HANDLE;
    if (vkCreatePipelineCache(device_, &ci, nullptr, &cache) != VK_SUCCESS) {
        ci.initialDataSize = 0;
        ci.pInitialData = nullptr;
        data.clear();
        vk_check(vkCreatePipelineCache(device_, &ci, nullptr, &cache), "vkCreatePipelineCache");
    }
    cache_ = OwnedPipelineCache(device_, cache);
    loaded_bytes_ = data.size();
}

PipelineCache::~PipelineCache() {
    if (dirty_) save();
}

void PipelineCache::save() {
    if (file_.empty()) return;
    std::size_t size = 0;
    if (vkGetPipelineCacheData(device_, cache_.get(), &size, nullptr) != VK_SUCCESS) return;
    std::vector<char> data(size);
    if (vkGetPipelineCacheData(device_, cache_.get(), &size, data.data()) != VK_SUCCESS) return;
    std::error_code ec;
    std::filesystem::create_directories(file_.parent_path(), ec);
    const auto tmp = file_.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(size));
        if (!out) {
            std::fprintf(stderr, "prism: could not write the pipeline cache %s\n", tmp.c_str());
            return;
        }
    }
    std::filesystem::rename(tmp, file_, ec);
    if (ec)
        std::fprintf(stderr, "prism: could not save the pipeline cache: %s\n",
                     ec.message().c_str());
    dirty_ = false;
}

}  // namespace prism::gpu
