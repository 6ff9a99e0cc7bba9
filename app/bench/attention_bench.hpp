#pragma once

#include "bench/bench_options.hpp"
#include "bench/report.hpp"
#include "prism/gpu/context.hpp"

namespace prism::bench {

void bench_attention(gpu::Context& context, const OpsOptions& options, Report& report);

}  // namespace prism::bench
