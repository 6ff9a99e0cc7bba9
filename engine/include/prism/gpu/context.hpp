#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/gpu/buffer.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/gpu/recorder.hpp"

namespace prism::gpu {

struct ContextOptions {
    // Index or part of a device name; empty uses PRISM_DEVICE or picks automatically.
    std::string device;
    // Enables the Khronos validation layer (also PRISM_VALIDATION=1); its messages are kept
    // (validation_messages()) and printed to stderr.
    bool validation = false;
    // GPU timestamps per dispatch and a per-op table on stderr after each submit
    // (also PRISM_PROFILE=1).
    bool profile = false;
    // Uploads and downloads go through the staging buffer even on unified memory.
    bool force_staging = false;
    // Size of the host-visible staging buffer; uploads larger than it go in chunks.
    std::uint64_t staging_bytes = 32ull << 20;
    // Size of the blocks device memory is carved from.
    std::uint64_t block_bytes = 256ull << 20;
    // Where the pipeline cache lives; empty means $XDG_CACHE_HOME/prism (or ~/.cache/prism).
    std::filesystem::path cache_dir;
};

class Pipeline {
  public:
    virtual ~Pipeline() = default;
    virtual std::string_view name() const = 0;
};

struct MemoryStats {
    std::uint64_t device_blocks = 0;    // VkDeviceMemory allocations made for buffers
    std::uint64_t device_reserved = 0;  // bytes in those blocks
    std::uint64_t device_in_use = 0;    // bytes handed out as Buffers
    std::uint64_t staging_bytes = 0;    // size of the staging buffer
    std::uint64_t staged_uploads = 0;   // chunk copies made through staging
    // The most bytes handed out as Buffers at once since the context began or since
    // reset_memory_peak(): what a piece of work really needed, alignment included.
    std::uint64_t device_peak_in_use = 0;
};

// Work handed to the queue since the context began: every queue submission (recordings and
// staging transfers alike), and the dispatches and barriers of the recordings submitted.
struct WorkStats {
    std::uint64_t submits = 0;
    std::uint64_t dispatches = 0;
    std::uint64_t barriers = 0;
};

struct PipelineCacheStats {
    std::filesystem::path file;
    std::uint64_t loaded_bytes = 0;  // bytes read from disk at start (0: cold)
    std::uint32_t pipelines_created = 0;
    // On devices that compile a shader at its first dispatch (CPU implementations), pipelines
    // compiled ahead on worker threads, and those left to their first dispatch.
    bool primer = false;
    std::uint32_t primed = 0, unprimed = 0;
    // A cache file that was unusable (it is then rebuilt) or could not be saved.
    std::vector<std::string> warnings;
};

// A Vulkan device with its queue, memory, pipelines and staging. One per process is the norm
// (prism::Device shares one among the models loaded); everything it creates dies with it.
// Models on different threads may use it at once: allocations, pipelines, transfers and
// recordings are safe to make concurrently, and submissions queue one after the other. One
// Recorder belongs to one thread.
class Context {
  public:
    explicit Context(const ContextOptions& options = {});
    ~Context();
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;

    const DeviceInfo& device() const;

    // Device-local memory; throws GpuError(out_of_memory) naming the size and the device.
    Buffer allocate(std::uint64_t bytes);

    void upload(const BufferRange& dst, std::span<const std::byte> data);
    void download(const BufferRange& src, std::span<std::byte> data);
    template <typename T>
    void upload(const BufferRange& dst, std::span<const T> data) {
        upload(dst, std::as_bytes(data));
    }
    template <typename T>
    std::vector<T> download(const BufferRange& src) {
        std::vector<T> out(src.size / sizeof(T));
        download(src, std::as_writable_bytes(std::span(out)));
        return out;
    }

    Recorder record() { return Recorder(*this); }
    // Submits what was recorded, waits for it and, when profiling, prints the op table.
    void submit(Recorder& recorder);

    const Pipeline& pipeline(std::string_view shader, std::span<const std::uint32_t> spec = {});
    // Whether a first dispatch of this pipeline would cost no compile: always on devices that
    // compile when a pipeline is made; on those that compile at the first dispatch (CPU
    // implementations), once it has run or been compiled ahead, in this process or, as the
    // record of the shader primer says, an earlier one.
    bool pipeline_built(std::string_view shader, std::span<const std::uint32_t> spec = {}) const;
    // Has this pipeline compiled ahead, on devices that compile at the first dispatch, without
    // making it here, once the context is idle; elsewhere does nothing.
    void build_ahead(std::string_view shader, std::span<const std::uint32_t> spec = {});

    // While the scope lives, the pipelines its thread makes on this context are compiled ahead
    // at once, on devices that compile at the first dispatch (a model's warm-up recording:
    // its pipelines compile in parallel, beside the weight upload). Elsewhere a pipeline that
    // has never run compiles at its first dispatch, as the driver does it.
    class BuildAheadScope {
      public:
        ~BuildAheadScope();
        BuildAheadScope(const BuildAheadScope&) = delete;
        BuildAheadScope& operator=(const BuildAheadScope&) = delete;

      private:
        friend class Context;
        explicit BuildAheadScope(const Context* context);
        const Context* previous_;
    };
    [[nodiscard]] BuildAheadScope build_ahead_scope() const { return BuildAheadScope(this); }

    std::vector<std::string> validation_messages() const;
    void clear_validation_messages();

    MemoryStats memory_stats() const;
    // Starts device_peak_in_use again from the bytes in use now.
    void reset_memory_peak();
    WorkStats work_stats() const;
    PipelineCacheStats pipeline_cache_stats() const;
    // Writes the pipeline cache now (it is also written when the context is destroyed).
    void save_pipeline_cache();

    bool profiling() const;

    // Vulkan devices (Contexts) this process has open now.
    static int open_count();

    struct Impl;
    Impl& impl() const { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace prism::gpu
