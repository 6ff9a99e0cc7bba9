#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "prism/tensor_type.hpp"

namespace prism::bench {

struct ModelShape {
    std::string name;  // "0.5B"
    std::int64_t hidden, ffn, heads, kv_heads, head_dim;
};

// The text-model shapes prism-bench measures: Qwen2.5 0.5B and 1.5B, Gemma 3 4B.
const std::vector<ModelShape>& model_shapes();

struct OpsOptions {
    std::string device;
    std::set<std::string> only;     // empty: every group (matvec, matmul, attention)
    std::vector<TensorType> types;  // empty: every computable type
    std::set<std::string> models;   // empty: every model shape
    std::vector<std::int64_t> contexts{512, 4096};
    std::int64_t tokens = 512;  // N of the matrix-matrix cases
    double min_seconds = 0.3;   // per case, after a warm-up
    // Extra matrix shapes (K, M, N) measured for every type, e.g. to compare with another engine.
    std::vector<std::array<std::int64_t, 3>> shapes;
    // Prefill attention kernel: "auto" (the device's), "gpu" or "cpu" (a tuning forced, to
    // compare them on one device).
    std::string attention_kernel = "auto";
    bool json = false;
};

OpsOptions parse_ops_options(const std::vector<std::string>& args);

}  // namespace prism::bench
