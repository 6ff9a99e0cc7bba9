#include "gpu/allocator.hpp"

#include <algorithm>
#include <cstring>

namespace prism::gpu {
namespace {

std::uint64_t round_up(std::uint64_t v, std::uint64_t a) {
    return (v + a - 1) / a * a;
}

std::string mib(std::uint64_t bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

constexpr VkBufferUsageFlags kUsage =
    VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
    VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;

}  // namespace

BufferRange BufferRange::sub(std::uint64_t at, std::uint64_t bytes) const {
    if (at > size || bytes > size - at) {
        throw Error("buffer range [" + std::to_string(at) + ", +" + std::to_string(bytes) +
                    ") lies outside a buffer of " + std::to_string(size) + " bytes");
    }
    return {buffer, offset + at, bytes};
}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
    if (this != &other) {
        if (owner_) owner_->release(*this);
        owner_ = std::exchange(other.owner_, nullptr);
        range_ = std::exchange(other.range_, {});
        mapped_ = std::exchange(other.mapped_, nullptr);
        block_ = other.block_;
    }
    return *this;
}

Buffer::~Buffer() {
    if (owner_) owner_->release(*this);
}

std::uint32_t find_memory_type(VkPhysicalDevice physical, std::uint32_t type_bits,
                               VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) {
    VkPhysicalDeviceMemoryProperties props{};
    vkGetPhysicalDeviceMemoryProperties(physical, &props);
    int best = -1;
    for (std::uint32_t i = 0; i < props.memoryTypeCount; ++i) {
        const auto flags = props.memoryTypes[i].propertyFlags;
        if (!(type_bits & (1u << i)) || (flags & required) != required) continue;
        if ((flags & preferred) == preferred) return i;
        if (best < 0) best = static_cast<int>(i);
    }
    if (best < 0) {
        throw GpuError(GpuError::Kind::unsupported, "the device has no suitable memory type");
    }
    return static_cast<std::uint32_t>(best);
}

Allocator::Allocator(VkDevice device, VkPhysicalDevice physical, const DeviceInfo& info,
                     std::uint64_t block_bytes)
    : device_(device),
      info_(info),
      block_bytes_(std::min(block_bytes, info.max_memory_allocation_size)),
      alignment_(std::max<std::uint64_t>(256, info.min_storage_buffer_offset_alignment)) {
    // Probe the memory types a storage buffer may live in.
    VkBufferCreateInfo probe{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    probe.size = 4096;
    probe.usage = kUsage;
    VkBuffer buffer = VK_NULL_HANDLE;
    vk_check(vkCreateBuffer(device_, &probe, nullptr, &buffer), "vkCreateBuffer");
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(device_, buffer, &req);
    vkDestroyBuffer(device_, buffer, nullptr);
    memory_type_ =
        find_memory_type(physical, req.memoryTypeBits, 0, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT);
    VkPhysicalDeviceMemoryProperties props{};
    vkGetPhysicalDeviceMemoryProperties(physical, &props);
    const auto flags = props.memoryTypes[memory_type_].propertyFlags;
    heap_ = props.memoryTypes[memory_type_].heapIndex;
    host_visible_ = (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) &&
                    (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT);
}

void Allocator::add_block(std::uint64_t bytes) {
    const std::uint64_t heap_bytes = info_.heaps.at(heap_).bytes;
    if (bytes > heap_bytes - std::min(heap_bytes, reserved_bytes())) {
        throw GpuError(GpuError::Kind::out_of_memory, "not enough GPU memory on " + info_.name +
                                                          ": " + mib(bytes) + " more needed, " +
                                                          mib(reserved_bytes()) + " of " +
                                                          mib(heap_bytes) + " already in use");
    }
    Block block;
    block.size = bytes;
    VkBufferCreateInfo binfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    binfo.size = bytes;
    binfo.usage = kUsage;
    VkBuffer buffer = VK_NULL_HANDLE;
    vk_check(vkCreateBuffer(device_, &binfo, nullptr, &buffer), "vkCreateBuffer");
    block.buffer = OwnedBuffer(device_, buffer);
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(device_, buffer, &req);
    VkMemoryAllocateInfo ainfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ainfo.allocationSize = req.size;
    ainfo.memoryTypeIndex = memory_type_;
    VkDeviceMemory memory = VK_NULL_HANDLE;
    VkResult r = vkAllocateMemory(device_, &ainfo, nullptr, &memory);
    if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY) {
        throw GpuError(GpuError::Kind::out_of_memory,
                       "not enough GPU memory on " + info_.name + " for " + mib(bytes) + " (" +
                           mib(reserved_bytes()) + " already allocated)");
    }
    vk_check(r, "vkAllocateMemory");
    block.memory = OwnedMemory(device_, memory);
    vk_check(vkBindBufferMemory(device_, buffer, memory, 0), "vkBindBufferMemory");
    if (host_visible_) {
        vk_check(vkMapMemory(device_, memory, 0, VK_WHOLE_SIZE, 0, &block.mapped), "vkMapMemory");
    }
    block.free.emplace(0, bytes);
    blocks_.push_back(std::move(block));
}

Buffer Allocator::allocate(std::uint64_t bytes) {
    if (bytes == 0) throw Error("cannot allocate an empty GPU buffer");
    if (bytes > info_.max_memory_allocation_size) {
        throw GpuError(GpuError::Kind::out_of_memory,
                       "a single GPU buffer of " + mib(bytes) + " exceeds " + info_.name +
                           "'s limit of " + mib(info_.max_memory_allocation_size));
    }
    const std::uint64_t size = round_up(bytes, alignment_);
    std::lock_guard lock(mutex_);
    auto try_blocks = [&](Buffer& out) {
        for (std::uint32_t b = 0; b < blocks_.size(); ++b) {
            auto& block = blocks_[b];
            for (auto it = block.free.begin(); it != block.free.end(); ++it) {
                if (it->second < size) continue;
                const std::uint64_t offset = it->first;
                const std::uint64_t rest = it->second - size;
                block.free.erase(it);
                if (rest > 0) block.free.emplace(offset + size, rest);
                out.owner_ = this;
                out.block_ = b;
                out.range_ = {block.buffer.get(), offset, bytes};
                out.mapped_ =
                    block.mapped ? static_cast<std::byte*>(block.mapped) + offset : nullptr;
                in_use_ += size;
                peak_in_use_ = std::max(peak_in_use_, in_use_);
                return true;
            }
        }
        return false;
    };
    Buffer out;
    if (try_blocks(out)) return out;
    add_block(std::max(size, block_bytes_));
    if (!try_blocks(out)) throw Error("GPU allocator failed to place a fresh block");
    return out;
}

void Allocator::release(Buffer& buffer) {
    std::lock_guard lock(mutex_);
    auto& block = blocks_.at(buffer.block_);
    const std::uint64_t size = round_up(buffer.range_.size, alignment_);
    auto [it, inserted] = block.free.emplace(buffer.range_.offset, size);
    // Coalesce with the neighbours so large requests can reuse freed space.
    if (auto next = std::next(it);
        next != block.free.end() && it->first + it->second == next->first) {
        it->second += next->second;
        block.free.erase(next);
    }
    if (it != block.free.begin()) {
        auto prev = std::prev(it);
        if (prev->first + prev->second == it->first) {
            prev->second += it->second;
            block.free.erase(it);
        }
    }
    in_use_ -= size;
    buffer.owner_ = nullptr;
}

std::byte* Allocator::mapped_at(const BufferRange& range) {
    for (auto& block : blocks_) {
        if (block.buffer.get() != range.buffer) continue;
        if (range.offset > block.size || range.size > block.size - range.offset || !block.mapped) {
            throw Error("range outside its GPU buffer block");
        }
        return static_cast<std::byte*>(block.mapped) + range.offset;
    }
    throw Error("buffer range does not belong to this context");
}

void Allocator::write_mapped(const BufferRange& dst, std::span<const std::byte> data) {
    std::memcpy(mapped_at(dst), data.data(), data.size());
}

void Allocator::read_mapped(const BufferRange& src, std::span<std::byte> data) {
    std::memcpy(data.data(), mapped_at(src), data.size());
}

std::uint64_t Allocator::buffer_bytes(VkBuffer buffer) const {
    std::lock_guard lock(mutex_);
    for (const auto& b : blocks_)
        if (b.buffer.get() == buffer) return b.size;
    return 0;
}

std::uint64_t Allocator::blocks() const {
    return blocks_.size();
}

std::uint64_t Allocator::reserved_bytes() const {
    std::uint64_t total = 0;
    for (const auto& b : blocks_) total += b.size;
    return total;
}

std::uint64_t Allocator::in_use_bytes() const {
    return in_use_;
}

std::uint64_t Allocator::peak_in_use_bytes() const {
    std::lock_guard lock(mutex_);
    return peak_in_use_;
}

void Allocator::reset_peak() {
    std::lock_guard lock(mutex_);
    peak_in_use_ = in_use_;
}

}  // namespace prism::gpu
