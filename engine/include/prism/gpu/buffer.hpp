#pragma once

#include <vulkan/vulkan.h>
#include <cstdint>

namespace prism::gpu {

class Allocator;

// A byte range of a VkBuffer: what a shader binding or a copy refers to.
struct BufferRange {
    VkBuffer buffer = VK_NULL_HANDLE;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;

    BufferRange sub(std::uint64_t at, std::uint64_t bytes) const;
    bool overlaps(const BufferRange& other) const {
        return buffer == other.buffer && offset < other.offset + other.size &&
               other.offset < offset + size;
    }
};

// Device memory owned by the caller: a slice of one of the context's large blocks,
// returned to the allocator when destroyed. Move-only.
class Buffer {
  public:
    Buffer() = default;
    Buffer(Buffer&& other) noexcept { *this = std::move(other); }
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();

    explicit operator bool() const { return owner_ != nullptr; }
    std::uint64_t size() const { return range_.size; }
    const BufferRange& range() const { return range_; }
    BufferRange range(std::uint64_t at, std::uint64_t bytes) const { return range_.sub(at, bytes); }
    // Host pointer when the memory is mapped (unified memory), else nullptr.
    void* mapped() const { return mapped_; }

  private:
    friend class Allocator;
    Allocator* owner_ = nullptr;
    BufferRange range_;
    void* mapped_ = nullptr;
    std::uint32_t block_ = 0;
};

}  // namespace prism::gpu
