#include "device_memory.hpp"

#include "prism/error.hpp"
#include "prism/gpu/device_info.hpp"

namespace prism::ui {

std::uint64_t device_memory_bytes(const QString& selector) {
    try {
        const std::vector<gpu::DeviceInfo> devices = gpu::enumerate_devices();
        if (devices.empty()) return 0;
        return devices.at(gpu::select_device(devices, selector.toStdString())).device_local_bytes();
    } catch (const std::exception&) {
        return 0;  // no device: the browser says it cannot tell what fits
    }
}

}  // namespace prism::ui
