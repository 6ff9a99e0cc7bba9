#pragma once

// Refuses a model that cannot fit before any device memory is spent on it.

#include "prism/gguf.hpp"
#include "prism/gpu/device_info.hpp"
#include "prism/models/architecture.hpp"
#include "prism/session.hpp"

namespace prism::session {

// Throws Error saying how much device memory the weights and the KV cache need and how much
// the device (or options.memory_budget_bytes) offers.
void check_fits(const gguf::File& file, const models::DecoderHParams& hparams,
                const SessionOptions& options, const gpu::DeviceInfo& device);

}  // namespace prism::session
