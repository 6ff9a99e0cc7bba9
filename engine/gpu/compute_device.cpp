#include "gpu/compute_device.hpp"

#include <vector>

#include "gpu/allocator.hpp"
#include "gpu/shader_registry.hpp"

namespace prism::gpu {

ComputeDevice create_compute_device(VkPhysicalDevice physical, const DeviceInfo& info) {
    std::uint32_t count = 0;
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, nullptr);
    std::vector<VkQueueFamilyProperties> families(count);
    vkGetPhysicalDeviceQueueFamilyProperties(physical, &count, families.data());
    // Prefer a compute family without graphics: on some GPUs it runs beside the desktop.
    int chosen = -1;
    for (std::uint32_t i = 0; i < count; ++i) {
        const auto flags = families[i].queueFlags;
        if (!(flags & VK_QUEUE_COMPUTE_BIT)) continue;
        if (chosen < 0 || !(flags & VK_QUEUE_GRAPHICS_BIT)) chosen = static_cast<int>(i);
    }
    if (chosen < 0) {
        throw GpuError(GpuError::Kind::unsupported, info.name + " has no compute queue");
    }
    ComputeDevice out;
    out.queue_family = static_cast<std::uint32_t>(chosen);
    out.queue_timestamps = families[out.queue_family].timestampValidBits != 0;
    if (!info.storage_16bit) {
        throw GpuError(GpuError::Kind::unsupported,
                       info.name + " lacks 16-bit storage buffers, which Prism needs");
    }
    if (info.api_version < VK_API_VERSION_1_2) {
        throw GpuError(GpuError::Kind::unsupported,
                       info.name + " supports only Vulkan " +
                           std::to_string(VK_API_VERSION_MAJOR(info.api_version)) + "." +
                           std::to_string(VK_API_VERSION_MINOR(info.api_version)) +
                           "; Prism needs 1.2");
    }

    VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    f11.pNext = &f12;
    VkPhysicalDeviceFeatures2 available{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    available.pNext = &f11;
    vkGetPhysicalDeviceFeatures2(physical, &available);

    VkPhysicalDeviceVulkan11Features e11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features e12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    e11.pNext = &e12;
    e11.storageBuffer16BitAccess = f11.storageBuffer16BitAccess;
    e11.uniformAndStorageBuffer16BitAccess = f11.uniformAndStorageBuffer16BitAccess;
    e12.storageBuffer8BitAccess = f12.storageBuffer8BitAccess;
    e12.uniformAndStorageBuffer8BitAccess = f12.uniformAndStorageBuffer8BitAccess;
    e12.shaderFloat16 = f12.shaderFloat16;
    e12.shaderInt8 = f12.shaderInt8;
    VkPhysicalDeviceFeatures2 enabled{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    enabled.pNext = &e11;
    enabled.features.shaderInt16 = available.features.shaderInt16;
    enabled.features.shaderInt64 = available.features.shaderInt64;

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo qinfo{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    qinfo.queueFamilyIndex = out.queue_family;
    qinfo.queueCount = 1;
    qinfo.pQueuePriorities = &priority;
    VkDeviceCreateInfo dinfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dinfo.pNext = &enabled;
    dinfo.queueCreateInfoCount = 1;
    dinfo.pQueueCreateInfos = &qinfo;
    vk_check(vkCreateDevice(physical, &dinfo, nullptr, &out.device),
             "vkCreateDevice on " + info.name);
    vkGetDeviceQueue(out.device, out.queue_family, 0, &out.queue);
    return out;
}

OwnedSetLayout create_set_layout(VkDevice device) {
    VkDescriptorSetLayoutBinding bindings[kAllBindings]{};
    for (std::uint32_t i = 0; i < kAllBindings; ++i) {
        bindings[i].binding = i;
        bindings[i].descriptorType = descriptor_type(i);
        bindings[i].descriptorCount = 1;
        bindings[i].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo sinfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    sinfo.bindingCount = kAllBindings;
    sinfo.pBindings = bindings;
    VkDescriptorSetLayout set = VK_NULL_HANDLE;
    vk_check(vkCreateDescriptorSetLayout(device, &sinfo, nullptr, &set),
             "vkCreateDescriptorSetLayout");
    return OwnedSetLayout(device, set);
}

OwnedPipelineLayout create_pipeline_layout(VkDevice device, VkDescriptorSetLayout set) {
    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, kMaxPushConstantBytes};
    VkPipelineLayoutCreateInfo linfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    linfo.setLayoutCount = 1;
    linfo.pSetLayouts = &set;
    linfo.pushConstantRangeCount = 1;
    linfo.pPushConstantRanges = &push;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    vk_check(vkCreatePipelineLayout(device, &linfo, nullptr, &layout), "vkCreatePipelineLayout");
    return OwnedPipelineLayout(device, layout);
}

OwnedPipeline create_compute_pipeline(VkDevice device, VkPipelineCache cache,
                                      VkPipelineLayout layout, std::string_view shader,
                                      std::span<const std::uint32_t> spec, const std::string& key) {
    const auto words = find_shader(shader);
    VkShaderModuleCreateInfo sinfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    sinfo.codeSize = words.size() * sizeof(std::uint32_t);
    sinfo.pCode = words.data();
    VkShaderModule module = VK_NULL_HANDLE;
    vk_check(vkCreateShaderModule(device, &sinfo, nullptr, &module),
             "vkCreateShaderModule(" + std::string(shader) + ")");
    OwnedShaderModule owned_module(device, module);

    std::vector<VkSpecializationMapEntry> entries(spec.size());
    for (std::uint32_t i = 0; i < spec.size(); ++i) {
        entries[i] = {i, i * static_cast<std::uint32_t>(sizeof(std::uint32_t)),
                      sizeof(std::uint32_t)};
    }
    VkSpecializationInfo spec_info{};
    spec_info.mapEntryCount = static_cast<std::uint32_t>(entries.size());
    spec_info.pMapEntries = entries.data();
    spec_info.dataSize = spec.size() * sizeof(std::uint32_t);
    spec_info.pData = spec.data();

    VkComputePipelineCreateInfo cinfo{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
    cinfo.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
    cinfo.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
    cinfo.stage.module = module;
    cinfo.stage.pName = "main";
    cinfo.stage.pSpecializationInfo = spec.empty() ? nullptr : &spec_info;
    cinfo.layout = layout;
    VkPipeline pipeline = VK_NULL_HANDLE;
    vk_check(vkCreateComputePipelines(device, cache, 1, &cinfo, nullptr, &pipeline),
             "creating the compute pipeline " + key);
    return OwnedPipeline(device, pipeline);
}

std::uint64_t texel_view_bytes(std::uint64_t offset, std::uint64_t size, std::uint64_t buffer_bytes,
                               std::uint64_t max_bytes) {
    std::uint64_t bytes = (size + 15) / 16 * 16;
    const auto key_bits_zero = [](std::uint64_t b) { return ((b >> 8) & 0xff) == 0; };
    if (key_bits_zero(bytes) && offset + bytes + 256 <= buffer_bytes && bytes + 256 <= max_bytes)
        bytes += 256;
    return bytes;
}

OwnedBufferView create_texel_view(VkDevice device, VkBuffer buffer, std::uint64_t offset,
                                  std::uint64_t bytes, VkFormat format) {
    VkBufferViewCreateInfo vinfo{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
    vinfo.buffer = buffer;
    vinfo.format = format;
    vinfo.offset = offset;
    vinfo.range = bytes;
    VkBufferView view = VK_NULL_HANDLE;
    vk_check(vkCreateBufferView(device, &vinfo, nullptr, &view), "vkCreateBufferView");
    return OwnedBufferView(device, view);
}

BoundBuffer create_bound_buffer(VkDevice device, VkPhysicalDevice physical, std::uint64_t bytes,
                                VkBufferUsageFlags usage, VkMemoryPropertyFlags required,
                                VkMemoryPropertyFlags preferred, const std::string& what) {
    BoundBuffer out;
    VkBufferCreateInfo binfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    binfo.size = bytes;
    binfo.usage = usage;
    VkBuffer buffer = VK_NULL_HANDLE;
    vk_check(vkCreateBuffer(device, &binfo, nullptr, &buffer), "vkCreateBuffer (" + what + ")");
    out.buffer = OwnedBuffer(device, buffer);
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(device, buffer, &req);
    VkMemoryAllocateInfo ainfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ainfo.allocationSize = req.size;
    ainfo.memoryTypeIndex = find_memory_type(physical, req.memoryTypeBits, required, preferred);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    vk_check(vkAllocateMemory(device, &ainfo, nullptr, &memory), "vkAllocateMemory (" + what + ")");
    out.memory = OwnedMemory(device, memory);
    vk_check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory (" + what + ")");
    return out;
}

std::string pipeline_key(std::string_view shader, std::span<const std::uint32_t> spec) {
    std::string key(shader);
    for (auto v : spec) key += ":" + std::to_string(v);
    return key;
}

}  // namespace prism::gpu
