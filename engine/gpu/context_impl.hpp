#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gpu/allocator.hpp"
#include "gpu/compute_device.hpp"
#include "gpu/instance.hpp"
#include "gpu/pipeline_cache.hpp"
#include "gpu/shader_primer.hpp"
#include "gpu/vk_util.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/recorder.hpp"

namespace prism::gpu {

class ComputePipeline final : public Pipeline {
  public:
    ComputePipeline(std::string name, OwnedPipeline pipeline)
        : name_(std::move(name)), pipeline_(std::move(pipeline)) {}
    std::string_view name() const override { return name_; }
    VkPipeline get() const { return pipeline_.get(); }
    // Whether a submitted recording has dispatched it (see ShaderPrimer).
    mutable std::atomic<bool> ran{false};

  private:
    std::string name_;
    OwnedPipeline pipeline_;
};

struct Context::Impl {
    ContextOptions options;
    std::vector<std::string> messages;
    mutable std::mutex messages_mutex;
    std::unique_ptr<Instance> instance;
    VkPhysicalDevice physical = VK_NULL_HANDLE;
    DeviceInfo info;
    VkDevice device = VK_NULL_HANDLE;
    VkQueue queue = VK_NULL_HANDLE;
    std::uint32_t queue_family = 0;
    bool profile = false;

    std::unique_ptr<Allocator> allocator;
    Buffer dummy;  // fills binding slots a pipeline does not use
    OwnedBufferView dummy_vec4_view, dummy_uvec4_view;

    // Staging: one host-visible buffer, reused for every chunked transfer.
    OwnedBuffer staging_buffer;
    OwnedMemory staging_memory;
    void* staging_mapped = nullptr;
    std::uint64_t staging_size = 0;
    std::uint64_t staged_uploads = 0;

    // Models on several threads share one context: the staging buffer and the command pool of
    // transfers are guarded by transfer_mutex, the queue, its fence and the work counts by
    // queue_mutex, the pipeline table by pipelines_mutex. Each recording has its own pool.
    std::mutex transfer_mutex;
    std::mutex queue_mutex;
    mutable std::mutex pipelines_mutex;
    OwnedCommandPool command_pool;
    OwnedFence fence;
    OwnedSetLayout set_layout;
    OwnedPipelineLayout pipeline_layout;
    std::unique_ptr<PipelineCache> cache;
    std::map<std::string, std::unique_ptr<ComputePipeline>, std::less<>> pipelines;
    // On drivers that compile at the first dispatch: compiles new pipelines ahead, in parallel.
    std::unique_ptr<ShaderPrimer> primer;

    WorkStats work;
    std::uint64_t profiled_submits = 0;  // work.submits when the last profile table was printed

    ~Impl();
    void create_device();
    void create_staging();
    void create_layouts();
    OwnedCommandPool create_command_pool(VkCommandPoolCreateFlags flags);
    VkCommandBuffer begin_one_shot(VkCommandPool pool);
    // `dispatches` and `barriers` are the recording's, added to the work counts; returns the
    // submits made since the previous call that asked (the profile table's count).
    std::uint64_t submit_and_wait(VkCommandBuffer cmd, std::uint32_t dispatches = 0,
                                  std::uint32_t barriers = 0, bool profiled = false);
    void add_message(const std::string& m);
    void transfer(const BufferRange& range, std::span<std::byte> host, bool to_device);
};

}  // namespace prism::gpu
