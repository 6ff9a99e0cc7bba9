#include <cstdio>

#include "cli/commands.hpp"
#include "prism/gpu/device_info.hpp"

namespace prism::cli {
namespace {

std::string gib(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
    return buf;
}

const char* yes(bool b) {
    return b ? "yes" : "no";
}

}  // namespace

int devices_command(const std::vector<std::string>& args) {
    std::string selector;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "-h" || args[i] == "--help") {
            std::puts("usage: prism-cli devices [--device INDEX|NAME]");
            return 0;
        }
        if (args[i] == "--device" && i + 1 < args.size()) {
            selector = args[++i];
        } else {
            std::fprintf(stderr, "usage: prism-cli devices [--device INDEX|NAME]\n");
            return 2;
        }
    }
    const auto devices = gpu::enumerate_devices();
    if (devices.empty()) {
        std::fputs("prism-cli: no Vulkan devices\n", stderr);
        return 1;
    }
    const auto chosen = gpu::select_device(devices, selector);
    for (const auto& d : devices) {
        std::printf("%s%u: %s (%s)\n", d.index == chosen ? "*" : " ", d.index, d.name.c_str(),
                    std::string(gpu::device_kind_name(d.kind)).c_str());
        std::printf("    driver: %s, Vulkan %s\n", d.driver.c_str(),
                    d.api_version_string().c_str());
        std::printf("    memory heaps:");
        for (const auto& h : d.heaps) {
            std::printf(" %s%s", gib(h.bytes).c_str(), h.device_local ? " (device-local)" : "");
        }
        std::printf(
            "\n    subgroup size %u, max storage buffer range %llu MiB, shared memory %u KiB\n",
            d.subgroup_size, static_cast<unsigned long long>(d.max_storage_buffer_range >> 20),
            d.max_shared_memory_bytes >> 10);
        std::printf(
            "    fp16 arithmetic %s, int8 arithmetic %s, integer dot product %s, "
            "cooperative matrices %s\n",
            yes(d.fp16_arithmetic), yes(d.int8_arithmetic), yes(d.integer_dot_product),
            yes(d.cooperative_matrix));
    }
    std::printf("* = the device Prism uses (choose with --device or PRISM_DEVICE)\n");
    return 0;
}

}  // namespace prism::cli
