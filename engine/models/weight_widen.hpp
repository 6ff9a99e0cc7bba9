#pragma once

// Putting matrices of different types into one fused matrix: the type they can share without
// changing a single weight, and the conversion into it.

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "prism/tensor_type.hpp"

namespace prism::models {

// The type every one of `types` converts to exactly: the type itself when they all agree;
// Q8_0 for a mix of Q4_0, Q5_0 and Q8_0 (their values are d * small integers, and Q8_0 keeps
// d and the integers as they are); none otherwise.
std::optional<TensorType> shared_weight_type(std::span<const TensorType> types);

// `data` (whole blocks of Q4_0 or Q5_0) rewritten as Q8_0 blocks of the same values.
std::vector<std::byte> widen_to_q8_0(TensorType type, std::span<const std::byte> data);

}  // namespace prism::models
