#pragma once

#include <vulkan/vulkan.h>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "gpu/vk_util.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/gpu/recorder.hpp"

namespace prism::gpu {

// The descriptor type of binding i in the one set layout every pipeline shares (see Via).
inline VkDescriptorType descriptor_type(std::uint32_t binding) {
    return binding < kMaxBindings ? VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                                  : VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
}

inline VkFormat texel_format(std::uint32_t binding) {
    return binding < kTexelUvec4Binding ? VK_FORMAT_R32G32B32A32_SFLOAT
                                        : VK_FORMAT_R32G32B32A32_UINT;
}

// llvmpipe builds a shader for the state of the texel views bound when it first runs, and
// that state includes whether the view's buffer is a power of two in size and, through a union
// with mip levels, bits 8-15 of the view's size in bytes. Views are sized so that those bits
// are never all zero where the buffer allows (a view may reach past its range into the rest of
// the buffer, which no shader reads), so that one build serves every dispatch of a pipeline,
// and a device that primes shaders binds views of the same kind (see ShaderPrimer).
constexpr std::uint64_t kDummyViewBytes = 256;
constexpr std::uint64_t kDummyBufferBytes = 4096;  // a power of two, as a context's blocks are

// The byte size of a texel view of `size` bytes at `offset` in a buffer of `buffer_bytes`:
// whole 16-byte texels, and bits 8-15 not all zero where the buffer and `max_bytes` allow.
std::uint64_t texel_view_bytes(std::uint64_t offset, std::uint64_t size, std::uint64_t buffer_bytes,
                               std::uint64_t max_bytes);

OwnedBufferView create_texel_view(VkDevice device, VkBuffer buffer, std::uint64_t offset,
                                  std::uint64_t bytes, VkFormat format);

// A logical device with one compute queue and the features Prism's shaders use. Every device
// Prism makes on a physical device is made the same way, so that a shader compiled on one is
// the same shader on another (see ShaderPrimer).
struct ComputeDevice {
    VkDevice device = VK_NULL_HANDLE;
    VkQueue queue = VK_NULL_HANDLE;
    std::uint32_t queue_family = 0;
    bool queue_timestamps = false;
};

// Throws GpuError naming the device when it lacks what Prism needs.
ComputeDevice create_compute_device(VkPhysicalDevice physical, const DeviceInfo& info);

// The one descriptor set layout every pipeline shares (bindings: see descriptor_type()) and
// the pipeline layout over it with kMaxPushConstantBytes of push constants.
OwnedSetLayout create_set_layout(VkDevice device);
OwnedPipelineLayout create_pipeline_layout(VkDevice device, VkDescriptorSetLayout set);

// The compute pipeline of a registered shader with its specialization constants; `key` names
// it in errors.
OwnedPipeline create_compute_pipeline(VkDevice device, VkPipelineCache cache,
                                      VkPipelineLayout layout, std::string_view shader,
                                      std::span<const std::uint32_t> spec, const std::string& key);

// A buffer with memory of its own bound to it, of a type with the `required` properties
// (and the `preferred` ones where there is such a type); `what` names it in errors.
struct BoundBuffer {
    OwnedBuffer buffer;
    OwnedMemory memory;
};
BoundBuffer create_bound_buffer(VkDevice device, VkPhysicalDevice physical, std::uint64_t bytes,
                                VkBufferUsageFlags usage, VkMemoryPropertyFlags required,
                                VkMemoryPropertyFlags preferred, const std::string& what);

// The table key of a pipeline: the shader's name and its constants.
std::string pipeline_key(std::string_view shader, std::span<const std::uint32_t> spec);

}  // namespace prism::gpu
