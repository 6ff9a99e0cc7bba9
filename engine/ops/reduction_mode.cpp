#include "ops/reduction_mode.hpp"

#include <atomic>

namespace prism::ops::detail {
namespace {
std::atomic<int> g_forced_shared{0};
}

bool use_subgroup_reduction(const gpu::Context& context) {
    return context.device().subgroup_arithmetic && g_forced_shared.load() == 0;
}

ForceSharedMemoryReduction::ForceSharedMemoryReduction() {
    ++g_forced_shared;
}
ForceSharedMemoryReduction::~ForceSharedMemoryReduction() {
    --g_forced_shared;
}

}  // namespace prism::ops::detail
