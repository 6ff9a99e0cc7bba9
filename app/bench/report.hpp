#pragma once

#include <string>

#include "bench/case_timer.hpp"
#include "prism/gpu/device_info.hpp"

namespace prism::bench {

struct Row {
    std::string group, model, type, shape;
    Timing timing;
    double bytes = 0;  // least traffic the op needs: weights and activations once
    double flops = 0;
};

// Prints rows as they come: a table for people or JSON lines for scripts.
class Report {
  public:
    Report(const gpu::DeviceInfo& device, bool json);
    void add(const Row& row);

  private:
    bool json_;
    std::string device_;
};

}  // namespace prism::bench
