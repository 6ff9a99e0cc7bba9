#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "gpu/context_impl.hpp"
#include "gpu/recorder_impl.hpp"
#include "gpu/shader_registry.hpp"

namespace prism::gpu {
namespace {

std::atomic<int> g_open_contexts{0};

bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v && *v && std::strcmp(v, "0") != 0;
}

}  // namespace

Context::Impl::~Impl() {
    if (device != VK_NULL_HANDLE) vkDeviceWaitIdle(device);
    pipelines.clear();
    cache.reset();
    pipeline_layout.reset();
    set_layout.reset();
    fence.reset();
    command_pool.reset();
    staging_buffer.reset();
    staging_memory.reset();
    dummy_vec4_view.reset();
    dummy_uvec4_view.reset();
    dummy = Buffer();
    allocator.reset();
    if (device != VK_NULL_HANDLE) {
        vkDestroyDevice(device, nullptr);
        --g_open_contexts;
    }
}

void Context::Impl::add_message(const std::string& m) {
    std::fprintf(stderr, "vulkan: %s\n", m.c_str());
    std::lock_guard lock(messages_mutex);
    messages.push_back(m);
}

void Context::Impl::create_device() {
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
    queue_family = static_cast<std::uint32_t>(chosen);
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
    qinfo.queueFamilyIndex = queue_family;
    qinfo.queueCount = 1;
    qinfo.pQueuePriorities = &priority;
    VkDeviceCreateInfo dinfo{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    dinfo.pNext = &enabled;
    dinfo.queueCreateInfoCount = 1;
    dinfo.pQueueCreateInfos = &qinfo;
    vk_check(vkCreateDevice(physical, &dinfo, nullptr, &device), "vkCreateDevice on " + info.name);
    ++g_open_contexts;
    vkGetDeviceQueue(device, queue_family, 0, &queue);
    if (!families[queue_family].timestampValidBits) info.timestamps = false;
}

void Context::Impl::create_staging() {
    staging_size = std::max<std::uint64_t>(options.staging_bytes, 1 << 16);
    VkBufferCreateInfo binfo{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    binfo.size = staging_size;
    binfo.usage = VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    VkBuffer buffer = VK_NULL_HANDLE;
    vk_check(vkCreateBuffer(device, &binfo, nullptr, &buffer), "vkCreateBuffer (staging)");
    staging_buffer = OwnedBuffer(device, buffer);
    VkMemoryRequirements req{};
    vkGetBufferMemoryRequirements(device, buffer, &req);
    VkMemoryAllocateInfo ainfo{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    ainfo.allocationSize = req.size;
    ainfo.memoryTypeIndex =
        find_memory_type(physical, req.memoryTypeBits,
                         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                         VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
    VkDeviceMemory memory = VK_NULL_HANDLE;
    vk_check(vkAllocateMemory(device, &ainfo, nullptr, &memory), "vkAllocateMemory (staging)");
    staging_memory = OwnedMemory(device, memory);
    vk_check(vkBindBufferMemory(device, buffer, memory, 0), "vkBindBufferMemory (staging)");
    vk_check(vkMapMemory(device, memory, 0, VK_WHOLE_SIZE, 0, &staging_mapped), "vkMapMemory");
}

void Context::Impl::create_layouts() {
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
    set_layout = OwnedSetLayout(device, set);

    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, kMaxPushConstantBytes};
    VkPipelineLayoutCreateInfo linfo{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    linfo.setLayoutCount = 1;
    linfo.pSetLayouts = &set;
    linfo.pushConstantRangeCount = 1;
    linfo.pPushConstantRanges = &push;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    vk_check(vkCreatePipelineLayout(device, &linfo, nullptr, &layout), "vkCreatePipelineLayout");
    pipeline_layout = OwnedPipelineLayout(device, layout);
}

OwnedCommandPool Context::Impl::create_command_pool(VkCommandPoolCreateFlags flags) {
    VkCommandPoolCreateInfo pinfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pinfo.flags = flags;
    pinfo.queueFamilyIndex = queue_family;
    VkCommandPool pool = VK_NULL_HANDLE;
    vk_check(vkCreateCommandPool(device, &pinfo, nullptr, &pool), "vkCreateCommandPool");
    return OwnedCommandPool(device, pool);
}

VkCommandBuffer Context::Impl::begin_one_shot(VkCommandPool pool) {
    VkCommandBufferAllocateInfo ainfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    ainfo.commandPool = pool;
    ainfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    ainfo.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    vk_check(vkAllocateCommandBuffers(device, &ainfo, &cmd), "vkAllocateCommandBuffers");
    VkCommandBufferBeginInfo binfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    binfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    vk_check(vkBeginCommandBuffer(cmd, &binfo), "vkBeginCommandBuffer");
    return cmd;
}

std::uint64_t Context::Impl::submit_and_wait(VkCommandBuffer cmd, std::uint32_t dispatches,
                                             std::uint32_t barriers, bool profiled) {
    vk_check(vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
    // One submission at a time: the queue and the fence are shared by every model on the
    // context, and the GPU runs one command buffer after the other anyway.
    std::lock_guard lock(queue_mutex);
    VkFence f = fence.get();
    vk_check(vkResetFences(device, 1, &f), "vkResetFences");
    VkSubmitInfo sinfo{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    sinfo.commandBufferCount = 1;
    sinfo.pCommandBuffers = &cmd;
    vk_check(vkQueueSubmit(queue, 1, &sinfo, f), "vkQueueSubmit");
    ++work.submits;
    work.dispatches += dispatches;
    work.barriers += barriers;
    // Wait in slices so that a lost device surfaces as an error rather than a hang.
    for (;;) {
        VkResult r = vkWaitForFences(device, 1, &f, VK_TRUE, 1'000'000'000ull);
        if (r == VK_SUCCESS) break;
        if (r != VK_TIMEOUT) vk_check(r, "waiting for the GPU");
        r = vkGetFenceStatus(device, f);
        if (r == VK_SUCCESS) break;
        if (r != VK_NOT_READY) vk_check(r, "waiting for the GPU");
    }
    if (!profiled) return 0;
    const std::uint64_t since = work.submits - profiled_submits;
    profiled_submits = work.submits;
    return since;
}

void Context::Impl::transfer(const BufferRange& range, std::span<std::byte> host, bool to_device) {
    if (host.size() != range.size) {
        throw Error("transfer of " + std::to_string(host.size()) + " bytes into a range of " +
                    std::to_string(range.size) + " bytes");
    }
    if (range.size == 0) return;
    std::lock_guard lock(transfer_mutex);
    for (std::uint64_t done = 0; done < range.size;) {
        const std::uint64_t n = std::min(staging_size, range.size - done);
        VkCommandBuffer cmd = begin_one_shot(command_pool.get());
        VkBufferCopy region{};
        region.size = n;
        VkMemoryBarrier before{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
        before.srcAccessMask = VK_ACCESS_MEMORY_WRITE_BIT;
        before.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
        vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT,
                             VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0, nullptr, 0, nullptr);
        if (to_device) {
            std::memcpy(staging_mapped, host.data() + done, n);
            region.dstOffset = range.offset + done;
            vkCmdCopyBuffer(cmd, staging_buffer.get(), range.buffer, 1, &region);
        } else {
            region.srcOffset = range.offset + done;
            vkCmdCopyBuffer(cmd, range.buffer, staging_buffer.get(), 1, &region);
            VkMemoryBarrier after{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
            after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT;
            after.dstAccessMask = VK_ACCESS_HOST_READ_BIT;
            vkCmdPipelineBarrier(cmd, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_HOST_BIT, 0,
                                 1, &after, 0, nullptr, 0, nullptr);
        }
        try {
            submit_and_wait(cmd);
        } catch (...) {
            vkFreeCommandBuffers(device, command_pool.get(), 1, &cmd);
            throw;
        }
        vkFreeCommandBuffers(device, command_pool.get(), 1, &cmd);
        if (!to_device) std::memcpy(host.data() + done, staging_mapped, n);
        done += n;
        ++staged_uploads;
    }
}

Context::Context(const ContextOptions& options) : impl_(std::make_unique<Impl>()) {
    auto& m = *impl_;
    m.options = options;
    m.profile = options.profile || env_flag("PRISM_PROFILE");
    const bool validation = options.validation || env_flag("PRISM_VALIDATION");
    Impl* self = impl_.get();
    m.instance = std::make_unique<Instance>(
        validation, [self](const std::string& msg) { self->add_message(msg); });
    std::vector<DeviceInfo> devices;
    const auto& physical = m.instance->physical_devices();
    for (std::uint32_t i = 0; i < physical.size(); ++i)
        devices.push_back(query_device_info(physical[i], i));
    const std::uint32_t index = select_device(devices, options.device);
    m.physical = physical[index];
    m.info = devices[index];
    m.create_device();

    m.allocator = std::make_unique<Allocator>(m.device, m.physical, m.info, options.block_bytes);
    m.create_staging();

    m.command_pool = m.create_command_pool(VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT);
    VkFenceCreateInfo finfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    VkFence fence = VK_NULL_HANDLE;
    vk_check(vkCreateFence(m.device, &finfo, nullptr, &fence), "vkCreateFence");
    m.fence = OwnedFence(m.device, fence);
    m.create_layouts();
    m.cache = std::make_unique<PipelineCache>(
        m.device, m.physical, m.info,
        options.cache_dir.empty() ? default_cache_dir() : options.cache_dir);
    m.dummy = m.allocator->allocate(16);
    m.dummy_vec4_view =
        create_texel_view(m.device, m.dummy.range(), texel_format(kTexelVec4Binding));
    m.dummy_uvec4_view =
        create_texel_view(m.device, m.dummy.range(), texel_format(kTexelUvec4Binding));
}

OwnedBufferView create_texel_view(VkDevice device, const BufferRange& range, VkFormat format) {
    VkBufferViewCreateInfo vinfo{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
    vinfo.buffer = range.buffer;
    vinfo.format = format;
    vinfo.offset = range.offset;
    // Allocations are whole multiples of 256 bytes and ranges start 16-aligned, so rounding
    // the end up to a whole texel stays inside the allocation.
    vinfo.range = (range.size + 15) / 16 * 16;
    VkBufferView view = VK_NULL_HANDLE;
    vk_check(vkCreateBufferView(device, &vinfo, nullptr, &view), "vkCreateBufferView");
    return OwnedBufferView(device, view);
}

Context::~Context() = default;

const DeviceInfo& Context::device() const {
    return impl_->info;
}

Buffer Context::allocate(std::uint64_t bytes) {
    return impl_->allocator->allocate(bytes);
}

void Context::upload(const BufferRange& dst, std::span<const std::byte> data) {
    auto& m = *impl_;
    if (data.size() != dst.size) {
        throw Error("upload of " + std::to_string(data.size()) + " bytes into a range of " +
                    std::to_string(dst.size) + " bytes");
    }
    if (m.allocator->host_visible() && !m.options.force_staging) {
        // Unified memory: the block is mapped, so copy straight into it.
        m.allocator->write_mapped(dst, data);
        return;
    }
    m.transfer(dst, {const_cast<std::byte*>(data.data()), data.size()}, true);
}

void Context::download(const BufferRange& src, std::span<std::byte> data) {
    auto& m = *impl_;
    if (m.allocator->host_visible() && !m.options.force_staging) {
        if (data.size() != src.size) throw Error("download size does not match the range");
        m.allocator->read_mapped(src, data);
        return;
    }
    m.transfer(src, data, false);
}

void Context::submit(Recorder& recorder) {
    recorder.impl().submit();
}

const Pipeline& Context::pipeline(std::string_view shader, std::span<const std::uint32_t> spec) {
    auto& m = *impl_;
    std::string key(shader);
    for (auto v : spec) key += ":" + std::to_string(v);
    {
        std::lock_guard lock(m.pipelines_mutex);
        if (auto it = m.pipelines.find(key); it != m.pipelines.end()) return *it->second;
    }
    // Compiled without the lock, so that threads warming different pipelines run in parallel
    // (the VkPipelineCache is internally synchronized); a twin made meanwhile wins.

    const auto words = find_shader(shader);
    VkShaderModuleCreateInfo sinfo{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
    sinfo.codeSize = words.size() * sizeof(std::uint32_t);
    sinfo.pCode = words.data();
    VkShaderModule module = VK_NULL_HANDLE;
    vk_check(vkCreateShaderModule(m.device, &sinfo, nullptr, &module),
             "vkCreateShaderModule(" + std::string(shader) + ")");
    OwnedShaderModule owned_module(m.device, module);

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
    cinfo.layout = m.pipeline_layout.get();
    VkPipeline pipeline = VK_NULL_HANDLE;
    vk_check(vkCreateComputePipelines(m.device, m.cache->get(), 1, &cinfo, nullptr, &pipeline),
             "creating the compute pipeline " + key);
    auto p = std::make_unique<ComputePipeline>(key, OwnedPipeline(m.device, pipeline));
    std::lock_guard lock(m.pipelines_mutex);
    m.cache->mark_dirty();
    return *m.pipelines.try_emplace(std::move(key), std::move(p)).first->second;
}

std::vector<std::string> Context::validation_messages() const {
    std::lock_guard lock(impl_->messages_mutex);
    return impl_->messages;
}

void Context::clear_validation_messages() {
    std::lock_guard lock(impl_->messages_mutex);
    impl_->messages.clear();
}

WorkStats Context::work_stats() const {
    std::lock_guard lock(impl_->queue_mutex);
    return impl_->work;
}

int Context::open_count() {
    return g_open_contexts.load();
}

MemoryStats Context::memory_stats() const {
    const auto& m = *impl_;
    return {.device_blocks = m.allocator->blocks(),
            .device_reserved = m.allocator->reserved_bytes(),
            .device_in_use = m.allocator->in_use_bytes(),
            .staging_bytes = m.staging_size,
            .staged_uploads = m.staged_uploads,
            .device_peak_in_use = m.allocator->peak_in_use_bytes()};
}

void Context::reset_memory_peak() {
    impl_->allocator->reset_peak();
}

PipelineCacheStats Context::pipeline_cache_stats() const {
    std::lock_guard lock(impl_->pipelines_mutex);
    return {impl_->cache->file(), impl_->cache->loaded_bytes(),
            static_cast<std::uint32_t>(impl_->pipelines.size()), impl_->cache->warnings()};
}

void Context::save_pipeline_cache() {
    impl_->cache->save();
}

bool Context::profiling() const {
    return impl_->profile && impl_->info.timestamps;
}

}  // namespace prism::gpu
