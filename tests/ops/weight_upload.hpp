#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "prism/half.hpp"
#include "prism/ops/host_tensor.hpp"
#include "prism/tensor_type.hpp"

namespace prism::test {

// Weights as the GPU will hold them: raw bytes of `type` (F32 or F16) and the values those
// bytes represent, widened back to f32, for the CPU reference. Giving the reference the
// f16-rounded values makes the comparison test the kernel, not f16 rounding.
struct StoredWeights {
    std::vector<std::uint8_t> bytes;
    ops::HostTensor values;
};

inline StoredWeights store_weights(const ops::HostTensor& w, TensorType type) {
    StoredWeights s{{}, w};
    if (type == TensorType::F16) {
        s.bytes.resize(w.data.size() * 2);
        for (std::size_t i = 0; i < w.data.size(); ++i) {
            const std::uint16_t h = float_to_half(w.data[i]);
            s.values.data[i] = half_to_float(h);
            std::memcpy(s.bytes.data() + 2 * i, &h, 2);
        }
    } else {
        s.bytes.resize(w.data.size() * 4);
        std::memcpy(s.bytes.data(), w.data.data(), s.bytes.size());
    }
    return s;
}

}  // namespace prism::test
