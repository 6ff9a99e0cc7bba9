#include "ops/lane_rows.hpp"

namespace prism::ops {

bool has_block_decoder(TensorType type) {
    switch (type) {
        case TensorType::Q2_K:
        case TensorType::Q3_K:
        case TensorType::Q4_K:
        case TensorType::Q5_K:
        case TensorType::Q6_K:
        case TensorType::IQ4_NL:
            return true;
        default:
            return false;
    }
}

}  // namespace prism::ops
