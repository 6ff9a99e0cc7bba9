#include "gpu/recorder_impl.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>

#include "gpu/context_impl.hpp"

namespace prism::gpu {
namespace {

constexpr std::uint32_t kSetsPerPool = 128;
constexpr std::uint32_t kMaxTimestamps = 8192;

constexpr VkPipelineStageFlags kWorkStages =
    VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
constexpr VkAccessFlags kWorkAccess = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT |
                                      VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;

void memory_barrier(VkCommandBuffer cmd, VkPipelineStageFlags src_stage, VkAccessFlags src_access,
                    VkPipelineStageFlags dst_stage, VkAccessFlags dst_access) {
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = src_access;
    barrier.dstAccessMask = dst_access;
    vkCmdPipelineBarrier(cmd, src_stage, dst_stage, 0, 1, &barrier, 0, nullptr, 0, nullptr);
}

}  // namespace

Recorder::Impl::Impl(Context& c) : context(c), ctx(c.impl()) {
    command_pool = ctx.create_command_pool(VK_COMMAND_POOL_CREATE_TRANSIENT_BIT);
    cmd = ctx.begin_one_shot(command_pool.get());
    // Work submitted earlier (uploads, other passes) must be visible to this one.
    memory_barrier(cmd, VK_PIPELINE_STAGE_ALL_COMMANDS_BIT, VK_ACCESS_MEMORY_WRITE_BIT, kWorkStages,
                   kWorkAccess);
    if (context.profiling()) {
        VkQueryPoolCreateInfo qinfo{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
        qinfo.queryType = VK_QUERY_TYPE_TIMESTAMP;
        qinfo.queryCount = kMaxTimestamps;
        VkQueryPool pool = VK_NULL_HANDLE;
        vk_check(vkCreateQueryPool(ctx.device, &qinfo, nullptr, &pool), "vkCreateQueryPool");
        queries = OwnedQueryPool(ctx.device, pool);
        vkCmdResetQueryPool(cmd, pool, 0, kMaxTimestamps);
        vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_TOP_OF_PIPE_BIT, pool, 0);
        timestamps = 1;
    }
}

Recorder::Impl::~Impl() = default;

void Recorder::Impl::check_open() const {
    if (submitted) throw Error("this recording was already submitted; start a new one");
}

void Recorder::Impl::track(std::span<const Arg> args) {
    bool hazard = false;
    for (const auto& a : args) {
        for (const auto& w : pending_writes) hazard = hazard || a.range.overlaps(w);
        if (a.written) {
            for (const auto& r : pending_reads) hazard = hazard || a.range.overlaps(r);
        }
    }
    if (hazard) {
        memory_barrier(cmd, kWorkStages, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                       kWorkStages, kWorkAccess);
        pending_reads.clear();
        pending_writes.clear();
        ++barriers;
    }
    for (const auto& a : args) (a.written ? pending_writes : pending_reads).push_back(a.range);
}

VkDescriptorSet Recorder::Impl::next_set() {
    if (pools.empty() || sets_left == 0) {
        const VkDescriptorPoolSize sizes[] = {
            {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, kSetsPerPool * kMaxBindings},
            {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER,
             kSetsPerPool * (kAllBindings - kMaxBindings)}};
        VkDescriptorPoolCreateInfo pinfo{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
        pinfo.maxSets = kSetsPerPool;
        pinfo.poolSizeCount = 2;
        pinfo.pPoolSizes = sizes;
        VkDescriptorPool pool = VK_NULL_HANDLE;
        vk_check(vkCreateDescriptorPool(ctx.device, &pinfo, nullptr, &pool),
                 "vkCreateDescriptorPool");
        pools.emplace_back(ctx.device, pool);
        sets_left = kSetsPerPool;
    }
    VkDescriptorSetLayout layout = ctx.set_layout.get();
    VkDescriptorSetAllocateInfo ainfo{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
    ainfo.descriptorPool = pools.back().get();
    ainfo.descriptorSetCount = 1;
    ainfo.pSetLayouts = &layout;
    VkDescriptorSet set = VK_NULL_HANDLE;
    vk_check(vkAllocateDescriptorSets(ctx.device, &ainfo, &set), "vkAllocateDescriptorSets");
    --sets_left;
    return set;
}

void Recorder::Impl::timestamp(std::string_view label) {
    if (!queries || timestamps >= kMaxTimestamps) return;
    vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries.get(), timestamps++);
    labels.emplace_back(label);
}

void Recorder::Impl::dispatch(const Pipeline& pipeline, std::span<const Arg> args,
                              std::span<const std::byte> push, std::array<std::uint32_t, 3> groups,
                              std::string_view label) {
    check_open();
    const auto& info = ctx.info;
    if (args.size() > kMaxBindings) {
        throw Error(std::string(label) + ": more than " + std::to_string(kMaxBindings) +
                    " bindings");
    }
    if (push.size() > kMaxPushConstantBytes || push.size() % 4 != 0) {
        throw Error(std::string(label) +
                    ": push constants must be a multiple of 4 bytes, at most " +
                    std::to_string(kMaxPushConstantBytes));
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& r = args[i].range;
        if (r.buffer == VK_NULL_HANDLE || r.size == 0) {
            throw Error(std::string(label) + ": binding " + std::to_string(i) + " is empty");
        }
        if (r.size > info.max_storage_buffer_range) {
            throw Error(std::string(label) + ": binding " + std::to_string(i) + " spans " +
                        std::to_string(r.size) + " bytes, more than " + info.name +
                        "'s maxStorageBufferRange of " +
                        std::to_string(info.max_storage_buffer_range) + "; the op must split it");
        }
        if (r.offset % info.min_storage_buffer_offset_alignment != 0) {
            throw Error(std::string(label) + ": binding " + std::to_string(i) +
                        " starts at offset " + std::to_string(r.offset) +
                        ", not a multiple of the device's alignment " +
                        std::to_string(info.min_storage_buffer_offset_alignment));
        }
    }
    for (int d = 0; d < 3; ++d) {
        if (groups[d] > info.max_workgroup_count[d]) {
            throw Error(std::string(label) + ": " + std::to_string(groups[d]) +
                        " workgroups in dimension " + std::to_string(d) +
                        " exceed the device limit " + std::to_string(info.max_workgroup_count[d]));
        }
    }
    if (groups[0] == 0 || groups[1] == 0 || groups[2] == 0) return;

    track(args);

    // Storage arguments keep their position as binding; texel views take the next binding of
    // their format; every unused binding gets the dummy buffer (or a view of it).
    const BufferRange& dummy = ctx.dummy.range();
    BufferRange ranges[kAllBindings];
    bool used[kAllBindings] = {};
    std::uint32_t next_vec4 = kTexelVec4Binding, next_uvec4 = kTexelUvec4Binding;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::uint32_t b = static_cast<std::uint32_t>(i);
        if (args[i].via != Via::storage) {
            const bool vec4 = args[i].via == Via::texel_vec4;
            b = vec4 ? next_vec4++ : next_uvec4++;
            const std::uint32_t end = vec4 ? kTexelUvec4Binding : kAllBindings;
            if (b >= end) {
                const std::uint32_t count = vec4 ? kTexelUvec4Binding - kTexelVec4Binding
                                                 : kAllBindings - kTexelUvec4Binding;
                throw Error(std::string(label) + ": more than " + std::to_string(count) +
                            (vec4 ? " vec4" : " uvec4") + " texel bindings");
            }
            if (args[i].written) throw Error(std::string(label) + ": texel bindings are read-only");
            if ((args[i].range.size + 15) / 16 > info.max_texel_buffer_elements) {
                throw Error(std::string(label) + ": texel binding of " +
                            std::to_string(args[i].range.size) + " bytes exceeds " + info.name +
                            "'s maxTexelBufferElements of " +
                            std::to_string(info.max_texel_buffer_elements));
            }
        }
        ranges[b] = args[i].range;
        used[b] = true;
    }
    VkDescriptorSet set = next_set();
    VkDescriptorBufferInfo buffers[kAllBindings];
    VkBufferView texel_views[kAllBindings];
    VkWriteDescriptorSet writes[kAllBindings];
    for (std::uint32_t i = 0; i < kAllBindings; ++i) {
        const BufferRange& r = used[i] ? ranges[i] : dummy;
        buffers[i] = {r.buffer, r.offset, r.size};
        writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[i].dstSet = set;
        writes[i].dstBinding = i;
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = descriptor_type(i);
        if (writes[i].descriptorType == VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER) {
            if (used[i]) {
                const std::uint64_t bytes =
                    texel_view_bytes(r.offset, r.size, ctx.allocator->buffer_bytes(r.buffer),
                                     info.max_texel_buffer_elements * 16);
                views.push_back(
                    create_texel_view(ctx.device, r.buffer, r.offset, bytes, texel_format(i)));
                texel_views[i] = views.back().get();
            } else {
                texel_views[i] =
                    (i < kTexelUvec4Binding ? ctx.dummy_vec4_view : ctx.dummy_uvec4_view).get();
            }
            writes[i].pTexelBufferView = &texel_views[i];
        } else {
            writes[i].pBufferInfo = &buffers[i];
        }
    }
    vkUpdateDescriptorSets(ctx.device, kAllBindings, writes, 0, nullptr);

    const auto& compute = static_cast<const ComputePipeline&>(pipeline);
    const VkPipeline handle = compute.get();
    if (ctx.primer && !compute.ran.load(std::memory_order_relaxed) &&
        std::find(first_runs.begin(), first_runs.end(), &compute) == first_runs.end())
        first_runs.push_back(&compute);
    if (handle != bound) {
        vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, handle);
        bound = handle;
    }
    vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, ctx.pipeline_layout.get(), 0, 1,
                            &set, 0, nullptr);
    if (!push.empty()) {
        vkCmdPushConstants(cmd, ctx.pipeline_layout.get(), VK_SHADER_STAGE_COMPUTE_BIT, 0,
                           static_cast<std::uint32_t>(push.size()), push.data());
    }
    vkCmdDispatch(cmd, groups[0], groups[1], groups[2]);
    ++dispatches;
    timestamp(label);
}

void Recorder::Impl::copy(const BufferRange& src, const BufferRange& dst) {
    check_open();
    if (src.size != dst.size) throw Error("copy between ranges of different sizes");
    if (src.size == 0) return;
    const Arg args[] = {{src, false}, {dst, true}};
    track(args);
    VkBufferCopy region{src.offset, dst.offset, src.size};
    vkCmdCopyBuffer(cmd, src.buffer, dst.buffer, 1, &region);
    timestamp("copy");
}

void Recorder::Impl::fill_zero(const BufferRange& dst) {
    check_open();
    if (dst.size % 4 != 0) throw Error("fill_zero needs a size that is a multiple of 4 bytes");
    const Arg args[] = {{dst, true}};
    track(args);
    vkCmdFillBuffer(cmd, dst.buffer, dst.offset, dst.size, 0);
    timestamp("fill");
}

void Recorder::Impl::submit() {
    check_open();
    // Make device writes visible to the host before anyone maps or downloads them.
    memory_barrier(cmd, kWorkStages, VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
                   VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    submitted = true;
    std::optional<ShaderPrimer::Hold> hold;
    if (ctx.primer) {
        std::vector<std::string> keys;
        for (const auto* p : first_runs) keys.emplace_back(p->name());
        hold.emplace(ctx.primer->await(keys, !first_runs.empty()));
    }
    const std::uint64_t submits =
        ctx.submit_and_wait(cmd, dispatches, barriers, static_cast<bool>(queries));
    for (const auto* p : first_runs) p->ran.store(true, std::memory_order_relaxed);
    if (queries) print_profile(submits);
}

void Recorder::Impl::print_profile(std::uint64_t submits) {
    std::vector<std::uint64_t> ticks(timestamps);
    vk_check(vkGetQueryPoolResults(ctx.device, queries.get(), 0, timestamps,
                                   ticks.size() * sizeof(std::uint64_t), ticks.data(),
                                   sizeof(std::uint64_t),
                                   VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
             "vkGetQueryPoolResults");
    struct Row {
        std::uint32_t count = 0;
        double ms = 0;
    };
    std::map<std::string, Row> rows;
    const double period_ms = ctx.info.timestamp_period_ns * 1e-6;
    for (std::size_t i = 0; i + 1 < ticks.size(); ++i) {
        auto& row = rows[labels[i]];
        row.count++;
        row.ms += static_cast<double>(ticks[i + 1] - ticks[i]) * period_ms;
    }
    const double total = static_cast<double>(ticks.back() - ticks.front()) * period_ms;
    std::vector<std::pair<std::string, Row>> sorted(rows.begin(), rows.end());
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
    // Submits since the previous table: this recording's and any staging transfers before it
    // (a decode step's token and position uploads on devices without unified memory).
    std::fprintf(stderr, "prism profile (%s): %u dispatches, %u barriers, %llu submits, %.3f ms\n",
                 ctx.info.name.c_str(), dispatches, barriers,
                 static_cast<unsigned long long>(submits), total);
    std::fprintf(stderr, "  %-28s %8s %12s %12s %7s\n", "op", "calls", "total ms", "mean us",
                 "share");
    for (const auto& [name, row] : sorted) {
        std::fprintf(stderr, "  %-28s %8u %12.3f %12.1f %6.1f%%\n", name.c_str(), row.count, row.ms,
                     row.ms * 1000.0 / row.count, total > 0 ? 100.0 * row.ms / total : 0.0);
    }
}

Recorder::Recorder(Context& context) : impl_(std::make_unique<Impl>(context)) {}
Recorder::Recorder(Recorder&&) noexcept = default;
Recorder& Recorder::operator=(Recorder&&) noexcept = default;
Recorder::~Recorder() = default;

Context& Recorder::context() const {
    return impl_->context;
}

const Pipeline& Recorder::pipeline(std::string_view shader,
                                   std::initializer_list<std::uint32_t> spec) {
    return impl_->context.pipeline(shader, std::span(spec.begin(), spec.size()));
}

void Recorder::dispatch(const Pipeline& pipeline, std::initializer_list<Arg> args,
                        std::span<const std::byte> push, std::array<std::uint32_t, 3> groups,
                        std::string_view label) {
    impl_->dispatch(pipeline, std::span(args.begin(), args.size()), push, groups, label);
}

void Recorder::copy(const BufferRange& src, const BufferRange& dst) {
    impl_->copy(src, dst);
}
void Recorder::fill_zero(const BufferRange& dst) {
    impl_->fill_zero(dst);
}
std::uint32_t Recorder::dispatch_count() const {
    return impl_->dispatches;
}
std::uint32_t Recorder::barrier_count() const {
    return impl_->barriers;
}

std::array<std::uint32_t, 3> spread_groups(const Context& context, std::uint64_t total) {
    const std::uint64_t max_x = context.device().max_workgroup_count[0];
    if (total <= max_x) return {static_cast<std::uint32_t>(total), 1, 1};
    const std::uint64_t y = (total + max_x - 1) / max_x;
    if (y > context.device().max_workgroup_count[1]) {
        throw Error("a dispatch of " + std::to_string(total) + " workgroups is too large for " +
                    context.device().name);
    }
    const std::uint64_t x = (total + y - 1) / y;
    return {static_cast<std::uint32_t>(x), static_cast<std::uint32_t>(y), 1};
}

}  // namespace prism::gpu
