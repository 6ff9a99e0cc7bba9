#pragma once

// One Vulkan device context for every model a process loads: a Session (text and vision), a
// Transcriber (Whisper) and whatever comes next share its device, allocator, queue and
// pipeline cache, so a second model costs its weights and nothing else.
//
//   auto gpu = prism::Device::shared();             // the process's default device
//   prism::SessionOptions chat;  chat.gpu = gpu;
//   prism::TranscriberOptions ear;  ear.gpu = gpu;
//
// Load functions given no Device use Device::shared() for their device name, so models loaded
// in one process share a device unless asked otherwise. A Device lives while any model or
// caller holds it.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace prism::gpu {
class Context;
}

namespace prism {

struct DeviceOptions {
    // Index or part of a Vulkan device name; empty uses PRISM_DEVICE or picks automatically.
    std::string device;
    // The Khronos validation layer (tests; also PRISM_VALIDATION=1).
    bool validation = false;
};

// What the models on a device have cost it so far.
struct DeviceStats {
    std::uint64_t submits = 0;     // queue submissions
    std::uint64_t dispatches = 0;  // compute dispatches in them
    std::uint32_t pipelines = 0;   // compute pipelines created (each shader variant once)
    std::uint64_t memory_in_use = 0;
};

class Device {
  public:
    // The device context this process shares for `options`: opened by the first caller, handed
    // to later ones while any holder keeps it alive. Throws GpuError when no device fits.
    static std::shared_ptr<Device> shared(const DeviceOptions& options = {});
    // A device context of its own, shared with no one else (benchmarks that compare devices).
    static std::shared_ptr<Device> open(const DeviceOptions& options = {});
    // Vulkan devices this process has open now, shared or not.
    static int open_count();

    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    std::string_view name() const;
    DeviceStats stats() const;
    // The engine's context, for the model classes (prism/models/...) and benchmarks.
    gpu::Context& context() const;

  private:
    explicit Device(const DeviceOptions& options);
    std::unique_ptr<gpu::Context> context_;
};

}  // namespace prism
