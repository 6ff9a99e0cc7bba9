#pragma once

#include <vulkan/vulkan.h>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "prism/gpu/device_info.hpp"

namespace prism::gpu {

// A VkInstance, with the validation layer and a message callback when asked for.
class Instance {
  public:
    using MessageSink = std::function<void(const std::string&)>;
    Instance(bool validation, MessageSink sink);
    ~Instance();
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;

    VkInstance get() const { return instance_; }
    const std::vector<VkPhysicalDevice>& physical_devices() const { return physical_; }
    void report(const std::string& message) const;

  private:
    VkInstance instance_ = VK_NULL_HANDLE;
    VkDebugUtilsMessengerEXT messenger_ = VK_NULL_HANDLE;
    std::vector<VkPhysicalDevice> physical_;
    std::unique_ptr<MessageSink> sink_;
};

DeviceInfo query_device_info(VkPhysicalDevice device, std::uint32_t index);

}  // namespace prism::gpu
