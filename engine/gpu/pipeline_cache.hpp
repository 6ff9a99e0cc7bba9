#pragma once

#include <vulkan/vulkan.h>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "gpu/vk_util.hpp"
#include "prism/gpu/device_info.hpp"

namespace prism::gpu {

// A VkPipelineCache persisted under the user's cache folder, one file per device and
// driver, so that a second start does not compile pipelines again.
class PipelineCache {
  public:
    PipelineCache(VkDevice device, VkPhysicalDevice physical, const DeviceInfo& info,
                  std::filesystem::path dir);
    ~PipelineCache();
    PipelineCache(const PipelineCache&) = delete;
    PipelineCache& operator=(const PipelineCache&) = delete;

    VkPipelineCache get() const { return cache_.get(); }
    void mark_dirty() { dirty_ = true; }
    // Writes the cache file (atomically, through a rename); failures only warn.
    void save();
    const std::filesystem::path& file() const { return file_; }
    std::uint64_t loaded_bytes() const { return loaded_bytes_; }
    // A cache file that could not be used or saved, one sentence each (also on stderr).
    const std::vector<std::string>& warnings() const { return warnings_; }

  private:
    // The file's bytes when it is a cache this device made; else warns and returns nothing.
    std::vector<std::uint8_t> load(const VkPhysicalDeviceProperties& props);
    void warn(const std::string& problem, bool names_file = false);
    void report(const std::string& warning);

    VkDevice device_;
    OwnedPipelineCache cache_;
    std::filesystem::path file_;
    std::uint64_t loaded_bytes_ = 0;
    std::vector<std::string> warnings_;
    std::atomic<bool> dirty_{false};
};

std::filesystem::path default_cache_dir();

// Writes `data` to `file` through a temporary file of its own renamed into place, so that a
// reader never sees a partial file and concurrent writers each leave a whole one. Returns ""
// or what failed, with the system's reason.
std::string replace_file(const std::filesystem::path& file, std::span<const char> data);

}  // namespace prism::gpu
