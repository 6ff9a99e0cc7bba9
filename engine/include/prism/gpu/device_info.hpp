#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace prism::gpu {

enum class DeviceKind { discrete, integrated, virtual_gpu, cpu, other };

std::string_view device_kind_name(DeviceKind kind);

struct MemoryHeap {
    std::uint64_t bytes = 0;
    bool device_local = false;
};

// What Prism needs to know about one Vulkan device to pick it and tune shaders for it.
struct DeviceInfo {
    std::uint32_t index = 0;
    std::string name;
    DeviceKind kind = DeviceKind::other;
    std::uint32_t vendor_id = 0;
    std::uint32_t device_id = 0;
    std::string driver;  // driver name and version string
    std::uint32_t api_version = 0;
    std::vector<MemoryHeap> heaps;

    std::uint32_t subgroup_size = 1;
    bool subgroup_arithmetic = false;  // subgroupAdd/Max... in compute shaders
    std::uint64_t max_storage_buffer_range = 0;
    std::uint64_t max_texel_buffer_elements = 0;
    std::uint64_t min_storage_buffer_offset_alignment = 1;
    std::uint64_t max_memory_allocation_size = 0;
    std::uint32_t max_shared_memory_bytes = 0;
    std::uint32_t max_workgroup_invocations = 0;
    std::array<std::uint32_t, 3> max_workgroup_count{};
    std::uint32_t max_push_constants_bytes = 0;

    bool storage_8bit = false;     // 8-bit integers in storage buffers
    bool storage_16bit = false;    // 16-bit values in storage buffers (required)
    bool fp16_arithmetic = false;  // shaderFloat16
    bool int8_arithmetic = false;  // shaderInt8
    bool integer_dot_product = false;
    bool cooperative_matrix = false;
    bool timestamps = false;
    float timestamp_period_ns = 1.0f;

    std::uint64_t device_local_bytes() const;
    std::string api_version_string() const;  // "1.3.230"
};

// Every Vulkan device the loader reports, in the loader's order (the index used by
// PRISM_DEVICE and --device). Throws GpuError when there is no Vulkan loader or driver.
std::vector<DeviceInfo> enumerate_devices();

// Picks a device: `selector` is an index or a case-insensitive part of the name; empty means
// PRISM_DEVICE if set, else the first discrete GPU, then integrated, then any, and a CPU
// implementation only when nothing else exists. Throws naming the selector when none matches.
std::uint32_t select_device(const std::vector<DeviceInfo>& devices, std::string_view selector);

}  // namespace prism::gpu
