#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

#include "gpu/context_impl.hpp"
#include "gpu/recorder_impl.hpp"

namespace prism::gpu {
namespace {

std::atomic<int> g_open_contexts{0};
// The context whose pipelines this thread compiles ahead (see Context::BuildAheadScope).
thread_local const Context* t_building_ahead = nullptr;

bool env_flag(const char* name) {
    const char* v = std::getenv(name);
    return v && *v && std::strcmp(v, "0") != 0;
}

}  // namespace

Context::Impl::~Impl() {
    primer.reset();
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
    const ComputeDevice made = create_compute_device(physical, info);
    device = made.device;
    queue = made.queue;
    queue_family = made.queue_family;
    ++g_open_contexts;
    if (!made.queue_timestamps) info.timestamps = false;
}

void Context::Impl::create_staging() {
    staging_size = std::max<std::uint64_t>(options.staging_bytes, 1 << 16);
    auto made = create_bound_buffer(
        device, physical, staging_size,
        VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT,
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
        VK_MEMORY_PROPERTY_HOST_CACHED_BIT, "staging");
    staging_buffer = std::move(made.buffer);
    staging_memory = std::move(made.memory);
    vk_check(vkMapMemory(device, staging_memory.get(), 0, VK_WHOLE_SIZE, 0, &staging_mapped),
             "vkMapMemory");
}

void Context::Impl::create_layouts() {
    set_layout = create_set_layout(device);
    pipeline_layout = create_pipeline_layout(device, set_layout.get());
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
    m.dummy = m.allocator->allocate(kDummyViewBytes);
    const BufferRange d = m.dummy.range();
    m.dummy_vec4_view = create_texel_view(m.device, d.buffer, d.offset, kDummyViewBytes,
                                          texel_format(kTexelVec4Binding));
    m.dummy_uvec4_view = create_texel_view(m.device, d.buffer, d.offset, kDummyViewBytes,
                                           texel_format(kTexelUvec4Binding));
    if (wants_shader_primer(m.info)) {
        // A worker per core: the context's queue waits while they compile what it needs.
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        const auto dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
        VkPhysicalDeviceProperties props{};
        vkGetPhysicalDeviceProperties(m.physical, &props);
        std::string driver;
        for (const std::uint8_t b : props.pipelineCacheUUID) {
            char two[3];
            std::snprintf(two, sizeof(two), "%02x", b);
            driver += two;
        }
        char name[64];
        std::snprintf(name, sizeof(name), "primed-%04x-%04x.txt", m.info.vendor_id,
                      m.info.device_id);
        m.primer = std::make_unique<ShaderPrimer>(m.physical, m.info, std::min(cores, 4u),
                                                  dir.empty() ? dir : dir / name, driver);
    }
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
    std::string key = pipeline_key(shader, spec);
    {
        std::lock_guard lock(m.pipelines_mutex);
        if (auto it = m.pipelines.find(key); it != m.pipelines.end()) return *it->second;
    }
    // Compiled without the lock, so that threads warming different pipelines run in parallel
    // (the VkPipelineCache is internally synchronized); a twin made meanwhile wins.
    // The primer's worker makes its own copy meanwhile (translating a large shader takes
    // lavapipe as long as a second of the compile).
    if (m.primer && t_building_ahead == this) m.primer->add(key, shader, spec);
    auto p = std::make_unique<ComputePipeline>(
        key, create_compute_pipeline(m.device, m.cache->get(), m.pipeline_layout.get(), shader,
                                     spec, key));
    std::lock_guard lock(m.pipelines_mutex);
    m.cache->mark_dirty();
    return *m.pipelines.try_emplace(std::move(key), std::move(p)).first->second;
}

Context::BuildAheadScope::BuildAheadScope(const Context* context) : previous_(t_building_ahead) {
    t_building_ahead = context;
}

Context::BuildAheadScope::~BuildAheadScope() {
    t_building_ahead = previous_;
}

bool Context::pipeline_built(std::string_view shader, std::span<const std::uint32_t> spec) const {
    const auto& m = *impl_;
    if (!m.primer) return true;
    const std::string key = pipeline_key(shader, spec);
    {
        std::lock_guard lock(m.pipelines_mutex);
        const auto it = m.pipelines.find(key);
        if (it != m.pipelines.end() && it->second->ran.load(std::memory_order_relaxed)) return true;
    }
    return m.primer->built(key);
}

void Context::build_ahead(std::string_view shader, std::span<const std::uint32_t> spec) {
    if (impl_->primer) impl_->primer->add(pipeline_key(shader, spec), shader, spec, /*later=*/true);
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
    PipelineCacheStats out;
    if (impl_->primer) {
        const auto primed = impl_->primer->stats();
        out.primer = true;
        out.primed = primed.primed;
        out.unprimed = primed.failed;
    }
    std::lock_guard lock(impl_->pipelines_mutex);
    out.file = impl_->cache->file();
    out.loaded_bytes = impl_->cache->loaded_bytes();
    out.pipelines_created = static_cast<std::uint32_t>(impl_->pipelines.size());
    out.warnings = impl_->cache->warnings();
    if (impl_->primer) {
        for (auto& w : impl_->primer->warnings()) out.warnings.push_back(std::move(w));
    }
    return out;
}

void Context::save_pipeline_cache() {
    impl_->cache->save();
    if (impl_->primer) impl_->primer->save();
}

bool Context::profiling() const {
    return impl_->profile && impl_->info.timestamps;
}

}  // namespace prism::gpu
