#include "gpu/shader_primer.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <type_traits>

#include "gpu/allocator.hpp"
#include "gpu/compute_device.hpp"
#include "gpu/pipeline_cache.hpp"
#include "gpu/vk_util.hpp"
#include "prism/error.hpp"
#include "prism/regular_file.hpp"

namespace prism::gpu {
namespace {

using OwnedDevice = std::unique_ptr<std::remove_pointer_t<VkDevice>, void (*)(VkDevice)>;

void destroy_device(VkDevice device) {
    vkDeviceWaitIdle(device);
    vkDestroyDevice(device, nullptr);
}

// One worker's device, with every binding of the shared set layout filled the way a context
// fills the bindings a dispatch does not use, so that the driver compiles the same variant.
class PrimingDevice {
  public:
    PrimingDevice(VkPhysicalDevice physical, const DeviceInfo& info)
        : made_(create_compute_device(physical, info)), device_(made_.device, destroy_device) {
        const VkDevice d = made_.device;
        set_layout_ = create_set_layout(d);
        layout_ = create_pipeline_layout(d, set_layout_.get());
        create_dummy(physical);
        create_set();
        VkCommandPoolCreateInfo pinfo{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
        pinfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
        pinfo.queueFamilyIndex = made_.queue_family;
        VkCommandPool pool = VK_NULL_HANDLE;
        vk_check(vkCreateCommandPool(d, &pinfo, nullptr, &pool), "vkCreateCommandPool");
        pool_ = OwnedCommandPool(d, pool);
        VkCommandBufferAllocateInfo ainfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
        ainfo.commandPool = pool;
        ainfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
        ainfo.commandBufferCount = 1;
        vk_check(vkAllocateCommandBuffers(d, &ainfo, &cmd_), "vkAllocateCommandBuffers");
        VkFenceCreateInfo finfo{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
        VkFence fence = VK_NULL_HANDLE;
        vk_check(vkCreateFence(d, &finfo, nullptr, &fence), "vkCreateFence");
        fence_ = OwnedFence(d, fence);
    }

    void prime(std::string_view shader, std::span<const std::uint32_t> spec,
               const std::string& key) {
        const VkDevice d = made_.device;
        const OwnedPipeline pipeline =
            create_compute_pipeline(d, VK_NULL_HANDLE, layout_.get(), shader, spec, key);
        vk_check(vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
        VkCommandBufferBeginInfo binfo{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        binfo.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        vk_check(vkBeginCommandBuffer(cmd_, &binfo), "vkBeginCommandBuffer");
        vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline.get());
        vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, layout_.get(), 0, 1, &set_, 0,
                                nullptr);
        const std::array<std::byte, kMaxPushConstantBytes> zeros{};
        vkCmdPushConstants(cmd_, layout_.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           kMaxPushConstantBytes, zeros.data());
        // No workgroups: the driver builds the shader for the bound state and runs nothing.
        vkCmdDispatch(cmd_, 0, 0, 0);
        vk_check(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
        VkFence f = fence_.get();
        vk_check(vkResetFences(d, 1, &f), "vkResetFences");
        VkSubmitInfo sinfo{VK_STRUCTURE_TYPE_SUBMIT_INFO};
        sinfo.commandBufferCount = 1;
        sinfo.pCommandBuffers = &cmd_;
        vk_check(vkQueueSubmit(made_.queue, 1, &sinfo, f), "vkQueueSubmit");
        vk_check(vkWaitForFences(d, 1, &f, VK_TRUE, UINT64_MAX), "waiting for a shader compile");
    }

  private:
    void create_dummy(VkPhysicalDevice physical) {
        const VkDevice d = made_.device;
        dummy_ = create_bound_buffer(
            d, physical, kDummyBufferBytes,
            VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT, 0,
            VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, "shader primer");
        for (std::uint32_t i = kMaxBindings; i < kAllBindings; ++i) {
            views_[i - kMaxBindings] =
                create_texel_view(d, dummy_.buffer.get(), 0, kDummyViewBytes, texel_format(i));
        }
    }

    void create_set() {
        const VkDevice d = made_.device;
        const VkDescriptorPoolSize sizes[] = {
            {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kMaxBindings},
            {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, kAllBindings - kMaxBindings}};
        VkDescriptorPoolCreateInfo pinfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
        pinfo.maxSets = 1;
        pinfo.poolSizeCount = 2;
        pinfo.pPoolSizes = sizes;
        VkDescriptorPool pool = VK_NULL_HANDLE;
        vk_check(vkCreateDescriptorPool(d, &pinfo, nullptr, &pool), "vkCreateDescriptorPool");
        descriptor_pool_ = OwnedDescriptorPool(d, pool);
        VkDescriptorSetLayout layout = set_layout_.get();
        VkDescriptorSetAllocateInfo ainfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
        ainfo.descriptorPool = pool;
        ainfo.descriptorSetCount = 1;
        ainfo.pSetLayouts = &layout;
        vk_check(vkAllocateDescriptorSets(d, &ainfo, &set_), "vkAllocateDescriptorSets");
        VkDescriptorBufferInfo storage{dummy_.buffer.get(), 0, VK_WHOLE_SIZE};
        VkBufferView views[kAllBindings];
        VkWriteDescriptorSet writes[kAllBindings];
        for (std::uint32_t i = 0; i < kAllBindings; ++i) {
            writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
            writes[i].dstSet = set_;
            writes[i].dstBinding = i;
            writes[i].descriptorCount = 1;
            writes[i].descriptorType = descriptor_type(i);
            if (i < kMaxBindings) {
                writes[i].pBufferInfo = &storage;
            } else {
                views[i] = views_[i - kMaxBindings].get();
                writes[i].pTexelBufferView = &views[i];
            }
        }
        vkUpdateDescriptorSets(d, kAllBindings, writes, 0, nullptr);
    }

    ComputeDevice made_;
    OwnedDevice device_;  // declared before its children, so destroyed after them
    OwnedSetLayout set_layout_;
    OwnedPipelineLayout layout_;
    BoundBuffer dummy_;
    std::array<OwnedBufferView, kAllBindings - kMaxBindings> views_;
    OwnedDescriptorPool descriptor_pool_;
    VkDescriptorSet set_ = VK_NULL_HANDLE;
    OwnedCommandPool pool_;
    VkCommandBuffer cmd_ = VK_NULL_HANDLE;
    OwnedFence fence_;
};

constexpr std::uint64_t kMaxRecordBytes = 4ull << 20;
constexpr std::chrono::milliseconds kCacheWriteGrace{30};
constexpr std::chrono::milliseconds kIdleBeforeLater{500};
constexpr std::string_view kRecordMagic = "prism primed shaders";

std::string record_header(const std::string& driver) {
    return std::string(kRecordMagic) + " " + driver;
}

bool env_is(const char* name, const char* value) {
    const char* v = std::getenv(name);
    return v && std::strcmp(v, value) == 0;
}

bool env_true(const char* name) {
    const char* v = std::getenv(name);
    if (!v) return false;
    std::string s(v);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "1" || s == "true" || s == "yes";
}

}  // namespace

ShaderPrimer::ShaderPrimer(VkPhysicalDevice physical, const DeviceInfo& info, unsigned workers,
                           std::filesystem::path record, std::string driver)
    : physical_(physical), info_(info), record_(std::move(record)), driver_(std::move(driver)) {
    // The workers and their devices start with the first pipeline.
    live_workers_ = std::max(1u, workers);
    load_record();
}

void ShaderPrimer::load_record() {
    std::error_code ec;
    if (record_.empty() || !std::filesystem::exists(record_, ec)) return;
    std::vector<std::uint8_t> bytes;
    try {
        bytes = read_regular_file(record_, kMaxRecordBytes);
    } catch (const Error& e) {
        std::lock_guard lock(mutex_);
        warn(std::string(e.what()) + "; the record of primed shaders is ignored and rebuilt");
        return;
    }
    const std::string text(bytes.begin(), bytes.end());
    std::size_t at = text.find('\n');
    if (at == std::string::npos || text.substr(0, at) != record_header(driver_)) {
        // Another driver build's record (or not a record): its shaders are not this driver's.
        if (text.rfind(kRecordMagic, 0) != 0) {
            std::lock_guard lock(mutex_);
            warn(record_.string() + ": not a record of primed shaders; it is ignored and rebuilt");
        }
        return;
    }
    for (++at; at < text.size();) {
        const std::size_t end = std::min(text.find('\n', at), text.size());
        if (end > at) recorded_.emplace(text.substr(at, end - at));
        at = end + 1;
    }
}

void ShaderPrimer::warn(const std::string& warning) {
    std::fprintf(stderr, "prism: warning: %s\n", warning.c_str());
    warnings_.push_back(warning);
}

std::vector<std::string> ShaderPrimer::warnings() const {
    std::lock_guard lock(mutex_);
    return warnings_;
}

void ShaderPrimer::save() {
    std::string text;
    {
        std::lock_guard lock(mutex_);
        if (record_.empty() || !record_changed_) return;
        record_changed_ = false;
        text = record_header(driver_) + "\n";
        for (const auto& key : recorded_) text += key + "\n";
    }
    if (const std::string problem = replace_file(record_, text); !problem.empty()) {
        std::lock_guard lock(mutex_);
        warn(record_.string() + ": cannot save the record of primed shaders (" + problem + ")");
    }
}

ShaderPrimer::~ShaderPrimer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        abandon_queue();
    }
    queued_.notify_all();
    for (auto& t : workers_) t.join();
    save();
}

void ShaderPrimer::abandon_queue() {
    for (auto* q : {&queue_, &later_}) {
        for (const auto& key : *q) entries_.find(key)->second.state = State::done;
        stats_.failed += static_cast<std::uint32_t>(q->size());
        q->clear();
    }
    finished_.notify_all();
}

void ShaderPrimer::add(const std::string& key, std::string_view shader,
                       std::span<const std::uint32_t> spec, bool later) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || live_workers_ == 0 || recorded_.contains(key)) return;
        auto [it, added] = entries_.try_emplace(key);
        if (!added) return;
        it->second.shader = shader;
        it->second.spec.assign(spec.begin(), spec.end());
        (later ? later_ : queue_).push_back(key);
        if (workers_.empty()) {
            for (unsigned i = 0; i < live_workers_; ++i) workers_.emplace_back([this] { work(); });
        }
    }
    queued_.notify_one();
}

ShaderPrimer::Hold ShaderPrimer::await(std::span<const std::string> keys, bool ran_new) {
    std::unique_lock lock(mutex_);
    ++holds_;
    Hold hold(this, ran_new);
    // Wanted now: ahead of whatever was queued only in case it is needed later.
    for (auto k = keys.rbegin(); k != keys.rend(); ++k) {
        const auto it = entries_.find(*k);
        if (it == entries_.end() || it->second.state != State::queued) continue;
        for (auto* q : {&queue_, &later_}) {
            if (const auto at = std::find(q->begin(), q->end(), *k); at != q->end()) q->erase(at);
        }
        queue_.push_front(*k);
        wanted_.insert(*k);
    }
    queued_.notify_all();
    finished_.wait(lock, [&] {
        return std::all_of(keys.begin(), keys.end(), [&](const std::string& k) {
            const auto it = entries_.find(k);
            return it == entries_.end() || it->second.state == State::done;
        });
    });
    Clock::time_point readable{};
    for (const auto& k : keys) {
        if (const auto it = entries_.find(k); it != entries_.end())
            readable = std::max(readable, it->second.readable);
    }
    lock.unlock();
    std::this_thread::sleep_until(readable);
    return hold;
}

void ShaderPrimer::release(bool ran_new) {
    {
        std::lock_guard lock(mutex_);
        --holds_;
        released_ = released_ || ran_new;
        last_release_ = Clock::now();
    }
    queued_.notify_all();
}

bool ShaderPrimer::built(std::string_view key) const {
    std::lock_guard lock(mutex_);
    if (recorded_.contains(key)) return true;
    const auto it = entries_.find(key);
    return it != entries_.end() && it->second.built;
}

ShaderPrimer::Stats ShaderPrimer::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

void ShaderPrimer::work() {
    std::unique_ptr<PrimingDevice> device;
    try {
        device = std::make_unique<PrimingDevice>(physical_, info_);
    } catch (const std::exception&) {
        // Without a device of its own this worker primes nothing; when none is left, what is
        // queued goes back to compiling at its first dispatch.
        std::lock_guard lock(mutex_);
        if (--live_workers_ == 0) abandon_queue();
        return;
    }
    for (;;) {
        std::string key, shader;
        std::vector<std::uint32_t> spec;
        {
            std::unique_lock lock(mutex_);
            for (;;) {
                if (stopping_) return;
                if (!queue_.empty() && (holds_ == 0 || wanted_.contains(queue_.front()))) break;
                // What is not needed yet waits until the context has been idle a while (a
                // person reading an answer), not for a gap between two decode steps.
                const auto idle_from = last_release_ + kIdleBeforeLater;
                if (queue_.empty() && !later_.empty() && holds_ == 0 && released_) {
                    if (Clock::now() >= idle_from) break;
                    queued_.wait_until(lock, idle_from);
                    continue;
                }
                queued_.wait(lock);
            }
            auto& from = queue_.empty() ? later_ : queue_;
            key = from.front();
            from.pop_front();
            if (const auto w = wanted_.find(key); w != wanted_.end()) wanted_.erase(w);
            auto& e = entries_.find(key)->second;
            e.state = State::compiling;
            shader = e.shader;
            spec = e.spec;
        }
        const auto start = std::chrono::steady_clock::now();
        bool ok = true;
        try {
            device->prime(shader, spec, key);
        } catch (const std::exception&) {
            ok = false;  // the context's own dispatch will compile it, or report the problem
        }
        const auto end = Clock::now();
        const std::chrono::duration<double> took = end - start;
        // The driver writes its cache on a thread of its own, so a build becomes readable a
        // little after the compile returns; read before, it would be compiled again.
        const auto readable = end + kCacheWriteGrace;
        {
            std::lock_guard lock(mutex_);
            auto& e = entries_.find(key)->second;
            e.state = State::done;
            e.built = ok;
            e.readable = readable;
            (ok ? stats_.primed : stats_.failed) += 1;
            if (ok) record_changed_ = recorded_.insert(key).second || record_changed_;
            stats_.seconds += took.count();
        }
        finished_.notify_all();
    }
}

bool wants_shader_primer(const DeviceInfo& info) {
    if (env_is("PRISM_SHADER_PRIMER", "0")) return false;
    if (env_is("PRISM_SHADER_PRIMER", "1")) return true;
    // Without Mesa's disk cache a primed shader would only compile twice.
    if (env_true("MESA_SHADER_CACHE_DISABLE") || env_true("MESA_GLSL_CACHE_DISABLE")) return false;
    return info.kind == DeviceKind::cpu;
}

}  // namespace prism::gpu
