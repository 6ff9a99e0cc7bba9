#include "session/memory_check.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace prism::session {
namespace {

std::string mib(std::uint64_t bytes) {
    char buf[48];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return buf;
}

}  // namespace

void check_fits(const gguf::File& file, const models::DecoderHParams& h,
                const SessionOptions& options, const gpu::DeviceInfo& device) {
    std::uint64_t weights = 0;
    for (const auto& t : file.tensors()) weights += t.n_bytes;
    // As the decoder sizes its cache: f16 K and V per layer, heads padded to 8 lanes. A context
    // the model rejects is left for the decoder to report.
    const std::int64_t n_ctx =
        options.n_ctx > 0 ? options.n_ctx : std::min<std::int64_t>(h.n_ctx_train, 4096);
    if (n_ctx <= 0 || n_ctx > h.n_ctx_train) return;
    const auto head = static_cast<std::uint64_t>((h.head_dim + 7) / 8 * 8);
    const auto n_ctx_u = static_cast<std::uint64_t>(n_ctx);
    const std::uint64_t kv = static_cast<std::uint64_t>(h.n_layer) * 2 * head *
                             static_cast<std::uint64_t>(h.n_head_kv) * n_ctx_u * 2;
    std::uint64_t available = options.memory_budget_bytes;
    if (available == 0) {
        for (const auto& heap : device.heaps) {
            if (heap.device_local) available = std::max(available, heap.bytes);
        }
        if (available == 0) {
            for (const auto& heap : device.heaps) available = std::max(available, heap.bytes);
        }
    }
    if (weights + kv > available) {
        throw Error(file.name() + " needs " + mib(weights + kv) + " of device memory (" +
                    mib(weights) + " weights + " + mib(kv) + " KV cache for " +
                    std::to_string(n_ctx) + " tokens) but " + device.name + " has " +
                    mib(available));
    }
}

}  // namespace prism::session
