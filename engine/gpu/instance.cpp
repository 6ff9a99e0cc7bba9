#include "gpu/instance.hpp"

#include <cstring>

#include "gpu/vk_util.hpp"

namespace prism::gpu {
namespace {

constexpr const char* kValidationLayer = "VK_LAYER_KHRONOS_validation";

bool has_layer(const char* name) {
    std::uint32_t count = 0;
    vkEnumerateInstanceLayerProperties(&count, nullptr);
    std::vector<VkLayerProperties> layers(count);
    vkEnumerateInstanceLayerProperties(&count, layers.data());
    for (const auto& l : layers) {
        if (std::strcmp(l.layerName, name) == 0) return true;
    }
    return false;
}

VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT,
                                          VkDebugUtilsMessageTypeFlagsEXT,
                                          const VkDebugUtilsMessengerCallbackDataEXT* data,
                                          void* user) {
    const auto* sink = static_cast<const Instance::MessageSink*>(user);
    if (sink && *sink && data && data->pMessage) (*sink)(data->pMessage);
    return VK_FALSE;
}

bool has_device_extension(VkPhysicalDevice device, const char* name) {
    std::uint32_t count = 0;
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> exts(count);
    vkEnumerateDeviceExtensionProperties(device, nullptr, &count, exts.data());
    for (const auto& e : exts) {
        if (std::strcmp(e.extensionName, name) == 0) return true;
    }
    return false;
}

}  // namespace

Instance::Instance(bool validation, MessageSink sink)
    : sink_(std::make_unique<MessageSink>(std::move(sink))) {
    std::uint32_t loader_version = VK_API_VERSION_1_0;
    if (vkEnumerateInstanceVersion(&loader_version) != VK_SUCCESS ||
        loader_version < VK_API_VERSION_1_2) {
        throw GpuError(GpuError::Kind::unsupported,
                       "the Vulkan loader is older than 1.2; install a current Vulkan driver");
    }
    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "Prism";
    app.pEngineName = "Prism";
    app.apiVersion = VK_API_VERSION_1_2;

    std::vector<const char*> layers;
    std::vector<const char*> extensions;
    if (validation) {
        if (!has_layer(kValidationLayer)) {
            throw GpuError(GpuError::Kind::unsupported,
                           "Vulkan validation was requested but VK_LAYER_KHRONOS_validation is "
                           "not installed (Debian: vulkan-validationlayers)");
        }
        layers.push_back(kValidationLayer);
        extensions.push_back(VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
    }

    VkDebugUtilsMessengerCreateInfoEXT messenger_info{
        VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT};
    messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                                     VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                 VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                 VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    messenger_info.pfnUserCallback = on_message;
    messenger_info.pUserData = sink_.get();

    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    info.enabledLayerCount = static_cast<std::uint32_t>(layers.size());
    info.ppEnabledLayerNames = layers.data();
    info.enabledExtensionCount = static_cast<std::uint32_t>(extensions.size());
    info.ppEnabledExtensionNames = extensions.data();
    if (validation) info.pNext = &messenger_info;
    VkResult r = vkCreateInstance(&info, nullptr, &instance_);
    if (r == VK_ERROR_INCOMPATIBLE_DRIVER) {
        throw GpuError(GpuError::Kind::unsupported,
                       "no Vulkan driver found (install your GPU's Vulkan driver, or "
                       "mesa-vulkan-drivers for the CPU implementation)");
    }
    vk_check(r, "vkCreateInstance");

    if (validation) {
        auto create = reinterpret_cast<PFN_vkCreateDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkCreateDebugUtilsMessengerEXT"));
        if (create) create(instance_, &messenger_info, nullptr, &messenger_);
    }

    std::uint32_t count = 0;
    vk_check(vkEnumeratePhysicalDevices(instance_, &count, nullptr), "vkEnumeratePhysicalDevices");
    physical_.resize(count);
    vk_check(vkEnumeratePhysicalDevices(instance_, &count, physical_.data()),
             "vkEnumeratePhysicalDevices");
    physical_.resize(count);
}

Instance::~Instance() {
    if (messenger_ != VK_NULL_HANDLE) {
        auto destroy = reinterpret_cast<PFN_vkDestroyDebugUtilsMessengerEXT>(
            vkGetInstanceProcAddr(instance_, "vkDestroyDebugUtilsMessengerEXT"));
        if (destroy) destroy(instance_, messenger_, nullptr);
    }
    if (instance_ != VK_NULL_HANDLE) vkDestroyInstance(instance_, nullptr);
}

void Instance::report(const std::string& message) const {
    if (*sink_) (*sink_)(message);
}

DeviceInfo query_device_info(VkPhysicalDevice device, std::uint32_t index) {
    VkPhysicalDeviceSubgroupProperties subgroup{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
    driver.pNext = &subgroup;
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &driver;
    vkGetPhysicalDeviceProperties2(device, &props);

    VkPhysicalDeviceVulkan11Features f11{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES};
    VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    f11.pNext = &f12;
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &f11;
    vkGetPhysicalDeviceFeatures2(device, &features);

    VkPhysicalDeviceMemoryProperties memory{};
    vkGetPhysicalDeviceMemoryProperties(device, &memory);

    const auto& p = props.properties;
    DeviceInfo info;
    info.index = index;
    info.name = p.deviceName;
    switch (p.deviceType) {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            info.kind = DeviceKind::discrete;
            break;
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            info.kind = DeviceKind::integrated;
            break;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            info.kind = DeviceKind::virtual_gpu;
            break;
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            info.kind = DeviceKind::cpu;
            break;
        default:
            info.kind = DeviceKind::other;
            break;
    }
    info.vendor_id = p.vendorID;
    info.device_id = p.deviceID;
    info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
    info.api_version = p.apiVersion;
    for (std::uint32_t i = 0; i < memory.memoryHeapCount; ++i) {
        info.heaps.push_back({memory.memoryHeaps[i].size, (memory.memoryHeaps[i].flags &
                                                           VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) != 0});
    }
    info.subgroup_size = subgroup.subgroupSize;
    info.subgroup_arithmetic = (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT) &&
                               (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT);
    info.max_storage_buffer_range = p.limits.maxStorageBufferRange;
    info.max_texel_buffer_elements = p.limits.maxTexelBufferElements;
    info.min_storage_buffer_offset_alignment = p.limits.minStorageBufferOffsetAlignment;
    VkPhysicalDeviceMaintenance3Properties m3{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    VkPhysicalDeviceProperties2 props_m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props_m3.pNext = &m3;
    vkGetPhysicalDeviceProperties2(device, &props_m3);
    info.max_memory_allocation_size = m3.maxMemoryAllocationSize;
    info.max_shared_memory_bytes = p.limits.maxComputeSharedMemorySize;
    info.max_workgroup_invocations = p.limits.maxComputeWorkGroupInvocations;
    for (int i = 0; i < 3; ++i) info.max_workgroup_count[i] = p.limits.maxComputeWorkGroupCount[i];
    info.max_push_constants_bytes = p.limits.maxPushConstantsSize;
    info.storage_8bit = f12.storageBuffer8BitAccess;
    info.storage_16bit = f11.storageBuffer16BitAccess;
    info.fp16_arithmetic = f12.shaderFloat16;
    info.int8_arithmetic = f12.shaderInt8;
    info.integer_dot_product = has_device_extension(device, "VK_KHR_shader_integer_dot_product");
    info.cooperative_matrix = has_device_extension(device, "VK_KHR_cooperative_matrix");
    info.timestamps = p.limits.timestampComputeAndGraphics;
    info.timestamp_period_ns = p.limits.timestampPeriod;
    return info;
}

}  // namespace prism::gpu
