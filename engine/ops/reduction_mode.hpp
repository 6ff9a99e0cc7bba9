#pragma once

#include "prism/gpu/context.hpp"

namespace prism::ops::detail {

// Row reductions (norms, softmax) reduce within subgroups first when the device has subgroup
// arithmetic, and use a shared-memory tree otherwise. Tests force the tree on devices that
// have subgroups so that both shader paths run somewhere.
bool use_subgroup_reduction(const gpu::Context& context);

class ForceSharedMemoryReduction {
  public:
    ForceSharedMemoryReduction();
    ~ForceSharedMemoryReduction();
    ForceSharedMemoryReduction(const ForceSharedMemoryReduction&) = delete;
    ForceSharedMemoryReduction& operator=(const ForceSharedMemoryReduction&) = delete;
};

}  // namespace prism::ops::detail
