#pragma once

#include <vulkan/vulkan.h>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "gpu/vk_util.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/device_info.hpp"

namespace prism::gpu {

// Carves Buffers out of a few large VkDeviceMemory blocks, each covered by one VkBuffer,
// so that a model needs a handful of allocations rather than one per tensor.
class Allocator {
  public:
    Allocator(VkDevice device, VkPhysicalDevice physical, const DeviceInfo& info,
              std::uint64_t block_bytes);
    Allocator(const Allocator&) = delete;
    Allocator& operator=(const Allocator&) = delete;

    Buffer allocate(std::uint64_t bytes);
    void release(Buffer& buffer);

    std::uint64_t alignment() const { return alignment_; }
    std::uint64_t blocks() const;
    // The size of the VkBuffer behind a block; 0 for a buffer this allocator did not make.
    std::uint64_t buffer_bytes(VkBuffer buffer) const;
    std::uint64_t reserved_bytes() const;
    std::uint64_t in_use_bytes() const;
    // The most bytes in use at once since the allocator began or since reset_peak().
    std::uint64_t peak_in_use_bytes() const;
    void reset_peak();
    bool host_visible() const { return host_visible_; }
    // Copies through the persistent mapping; only when host_visible().
    void write_mapped(const BufferRange& dst, std::span<const std::byte> data);
    void read_mapped(const BufferRange& src, std::span<std::byte> data);

  private:
    struct Block {
        OwnedMemory memory;
        OwnedBuffer buffer;
        std::uint64_t size = 0;
        void* mapped = nullptr;
        std::map<std::uint64_t, std::uint64_t> free;  // offset -> size, coalesced
    };
    void add_block(std::uint64_t bytes);
    std::byte* mapped_at(const BufferRange& range);

    VkDevice device_;
    const DeviceInfo& info_;
    std::uint32_t memory_type_ = 0;
    std::uint32_t heap_ = 0;
    bool host_visible_ = false;
    std::uint64_t block_bytes_;
    std::uint64_t alignment_;
    std::vector<Block> blocks_;
    std::uint64_t in_use_ = 0;
    std::uint64_t peak_in_use_ = 0;
    mutable std::mutex mutex_;
};

// Index of a memory type that has all `required` flags, preferring `preferred` ones too.
std::uint32_t find_memory_type(VkPhysicalDevice physical, std::uint32_t type_bits,
                               VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred);

}  // namespace prism::gpu
