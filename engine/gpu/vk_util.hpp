#pragma once

#include <vulkan/vulkan.h>
#include <string>
#include <string_view>
#include <utility>

#include "prism/error.hpp"

namespace prism::gpu {

const char* vk_result_name(VkResult result);

// Throws GpuError for any failing result; device loss and memory exhaustion get their own kind.
void vk_check(VkResult result, std::string_view what);

// Owns one Vulkan object destroyed through a device (or instance) level function.
template <typename Handle, typename Parent,
          void (*Destroy)(Parent, Handle, const VkAllocationCallbacks*)>
class VkOwned {
  public:
    VkOwned() = default;
    VkOwned(Parent parent, Handle handle) : parent_(parent), handle_(handle) {}
    VkOwned(VkOwned&& o) noexcept
        : parent_(std::exchange(o.parent_, Parent{})),
          handle_(std::exchange(o.handle_, Handle{})) {}
    VkOwned& operator=(VkOwned&& o) noexcept {
        if (this != &o) {
            reset();
            parent_ = std::exchange(o.parent_, Parent{});
            handle_ = std::exchange(o.handle_, Handle{});
        }
        return *this;
    }
    VkOwned(const VkOwned&) = delete;
    VkOwned& operator=(const VkOwned&) = delete;
    ~VkOwned() { reset(); }

    void reset() {
        if (handle_ != Handle{}) Destroy(parent_, handle_, nullptr);
        handle_ = Handle{};
    }
    Handle get() const { return handle_; }
    explicit operator bool() const { return handle_ != Handle{}; }

  private:
    Parent parent_{};
    Handle handle_{};
};

using OwnedBuffer = VkOwned<VkBuffer, VkDevice, vkDestroyBuffer>;
using OwnedMemory = VkOwned<VkDeviceMemory, VkDevice, vkFreeMemory>;
using OwnedShaderModule = VkOwned<VkShaderModule, VkDevice, vkDestroyShaderModule>;
using OwnedPipeline = VkOwned<VkPipeline, VkDevice, vkDestroyPipeline>;
using OwnedPipelineLayout = VkOwned<VkPipelineLayout, VkDevice, vkDestroyPipelineLayout>;
using OwnedPipelineCache = VkOwned<VkPipelineCache, VkDevice, vkDestroyPipelineCache>;
using OwnedSetLayout = VkOwned<VkDescriptorSetLayout, VkDevice, vkDestroyDescriptorSetLayout>;
using OwnedDescriptorPool = VkOwned<VkDescriptorPool, VkDevice, vkDestroyDescriptorPool>;
using OwnedCommandPool = VkOwned<VkCommandPool, VkDevice, vkDestroyCommandPool>;
using OwnedFence = VkOwned<VkFence, VkDevice, vkDestroyFence>;
using OwnedQueryPool = VkOwned<VkQueryPool, VkDevice, vkDestroyQueryPool>;
using OwnedBufferView = VkOwned<VkBufferView, VkDevice, vkDestroyBufferView>;

}  // namespace prism::gpu
