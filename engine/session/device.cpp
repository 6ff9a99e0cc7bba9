#include "prism/device.hpp"

#include <map>
#include <mutex>
#include <utility>

#include "prism/gpu/context.hpp"

namespace prism {
namespace {

gpu::ContextOptions context_options(const DeviceOptions& options) {
    gpu::ContextOptions c;
    c.device = options.device;
    c.validation = options.validation;
    return c;
}

// Weak, so that the device closes with the last model that uses it.
struct SharedDevices {
    std::mutex mutex;
    std::map<std::pair<std::string, bool>, std::weak_ptr<Device>> by_options;
};

SharedDevices& shared_devices() {
    static SharedDevices devices;
    return devices;
}

}  // namespace

Device::Device(const DeviceOptions& options)
    : context_(std::make_unique<gpu::Context>(context_options(options))) {}

Device::~Device() = default;

std::shared_ptr<Device> Device::open(const DeviceOptions& options) {
    return std::shared_ptr<Device>(new Device(options));
}

std::shared_ptr<Device> Device::shared(const DeviceOptions& options) {
    auto& devices = shared_devices();
    // Held while opening: two threads loading their first models at once get one device.
    std::lock_guard lock(devices.mutex);
    auto& slot = devices.by_options[{options.device, options.validation}];
    if (auto device = slot.lock()) return device;
    auto device = open(options);
    slot = device;
    return device;
}

int Device::open_count() {
    return gpu::Context::open_count();
}

std::string_view Device::name() const {
    return context_->device().name;
}

DeviceStats Device::stats() const {
    const gpu::WorkStats work = context_->work_stats();
    return {.submits = work.submits,
            .dispatches = work.dispatches,
            .pipelines = context_->pipeline_cache_stats().pipelines_created,
            .memory_in_use = context_->memory_stats().device_in_use};
}

gpu::Context& Device::context() const {
    return *context_;
}

}  // namespace prism
