#include "prism/gpu/device_info.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

#include "gpu/instance.hpp"
#include "prism/error.hpp"

namespace prism::gpu {

std::string_view device_kind_name(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::discrete:
            return "discrete GPU";
        case DeviceKind::integrated:
            return "integrated GPU";
        case DeviceKind::virtual_gpu:
            return "virtual GPU";
        case DeviceKind::cpu:
            return "CPU";
        case DeviceKind::other:
            return "other";
    }
    return "other";
}

std::uint64_t DeviceInfo::device_local_bytes() const {
    std::uint64_t total = 0;
    for (const auto& h : heaps) {
        if (h.device_local) total += h.bytes;
    }
    return total;
}

std::string DeviceInfo::api_version_string() const {
    return std::to_string(api_version >> 22) + "." + std::to_string((api_version >> 12) & 0x3FFu) +
           "." + std::to_string(api_version & 0xFFFu);
}

std::vector<DeviceInfo> enumerate_devices() {
    Instance instance(false, {});
    std::vector<DeviceInfo> out;
    const auto& devices = instance.physical_devices();
    for (std::uint32_t i = 0; i < devices.size(); ++i)
        out.push_back(query_device_info(devices[i], i));
    return out;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

int preference(DeviceKind kind) {
    switch (kind) {
        case DeviceKind::discrete:
            return 0;
        case DeviceKind::integrated:
            return 1;
        case DeviceKind::virtual_gpu:
            return 2;
        case DeviceKind::other:
            return 3;
        case DeviceKind::cpu:
            return 4;
    }
    return 5;
}

}  // namespace

std::uint32_t select_device(const std::vector<DeviceInfo>& devices, std::string_view selector) {
    if (devices.empty()) {
        throw GpuError(GpuError::Kind::unsupported,
                       "no Vulkan device found (install a GPU driver, or mesa-vulkan-drivers)");
    }
    std::string chosen(selector);
    std::string source = "--device";
    if (chosen.empty()) {
        if (const char* env = std::getenv("PRISM_DEVICE"); env && *env) {
            chosen = env;
            source = "PRISM_DEVICE";
        }
    }
    if (chosen.empty()) {
        auto best = std::min_element(
            devices.begin(), devices.end(),
            [](const auto& a, const auto& b) { return preference(a.kind) < preference(b.kind); });
        return best->index;
    }
    std::uint32_t index = 0;
    auto [end, ec] = std::from_chars(chosen.data(), chosen.data() + chosen.size(), index);
    if (ec == std::errc() && end == chosen.data() + chosen.size()) {
        if (index >= devices.size()) {
            throw Error(source + " " + chosen + ": there are only " +
                        std::to_string(devices.size()) +
                        " Vulkan devices (see `prism-cli devices`)");
        }
        return index;
    }
    const std::string needle = lower(chosen);
    for (const auto& d : devices) {
        if (lower(d.name).find(needle) != std::string::npos) return d.index;
    }
    throw Error(source + " '" + chosen + "' matches no Vulkan device (see `prism-cli devices`)");
}

}  // namespace prism::gpu
