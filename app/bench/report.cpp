#include "bench/report.hpp"

#include <cstdio>

namespace prism::bench {

Report::Report(const gpu::DeviceInfo& device, bool json) : json_(json), device_(device.name) {
    if (json_) return;
    std::printf("device: %s (%s), driver %s\n", device.name.c_str(),
                std::string(gpu::device_kind_name(device.kind)).c_str(), device.driver.c_str());
    std::printf("%-10s %-5s %-7s %-22s %10s %6s %9s %10s\n", "op", "model", "type", "shape",
                "time us", "reps", "GB/s", "GFLOP/s");
    std::fflush(stdout);
}

void Report::add(const Row& r) {
    const double s = r.timing.seconds_per_rep;
    const double gbs = s > 0 ? r.bytes / s * 1e-9 : 0;
    const double gflops = s > 0 ? r.flops / s * 1e-9 : 0;
    if (json_) {
        std::printf(
            "{\"device\":\"%s\",\"op\":\"%s\",\"model\":\"%s\",\"type\":\"%s\",\"shape\":\"%s\","
            "\"us\":%.3f,\"reps\":%d,\"gb_per_s\":%.3f,\"gflop_per_s\":%.3f}\n",
            device_.c_str(), r.group.c_str(), r.model.c_str(), r.type.c_str(), r.shape.c_str(),
            s * 1e6, r.timing.reps, gbs, gflops);
    } else {
        std::printf("%-10s %-5s %-7s %-22s %10.1f %6d %9.2f %10.2f\n", r.group.c_str(),
                    r.model.c_str(), r.type.c_str(), r.shape.c_str(), s * 1e6, r.timing.reps, gbs,
                    gflops);
    }
    std::fflush(stdout);
}

}  // namespace prism::bench
