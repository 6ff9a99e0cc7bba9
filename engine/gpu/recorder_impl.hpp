#pragma once

#include <span>
#include <string>
#include <vector>

#include "gpu/vk_util.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/recorder.hpp"

namespace prism::gpu {

class ComputePipeline;

struct Recorder::Impl {
    explicit Impl(Context& context);
    ~Impl();

    void dispatch(const Pipeline& pipeline, std::span<const Arg> args,
                  std::span<const std::byte> push, std::array<std::uint32_t, 3> groups,
                  std::string_view label);
    void copy(const BufferRange& src, const BufferRange& dst);
    void fill_zero(const BufferRange& dst);
    void submit();

    Context& context;
    Context::Impl& ctx;
    // A pool of its own, so that recordings on several threads need no lock (pools are
    // externally synchronized); freeing it frees the command buffer.
    OwnedCommandPool command_pool;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    VkPipeline bound = VK_NULL_HANDLE;
    std::vector<OwnedDescriptorPool> pools;
    std::vector<OwnedBufferView> views;  // texel views of this recording's dispatches
    std::uint32_t sets_left = 0;
    std::vector<BufferRange> pending_writes;
    std::vector<BufferRange> pending_reads;
    std::uint32_t dispatches = 0;
    std::uint32_t barriers = 0;
    bool submitted = false;
    OwnedQueryPool queries;
    std::uint32_t timestamps = 0;
    std::vector<std::string> labels;
    // Pipelines no submitted recording has run yet: their compile is awaited before submit.
    std::vector<const ComputePipeline*> first_runs;

  private:
    void check_open() const;
    void track(std::span<const Arg> args);
    VkDescriptorSet next_set();
    void timestamp(std::string_view label);
    void print_profile(std::uint64_t submits);
};

}  // namespace prism::gpu
