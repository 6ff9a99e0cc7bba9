#pragma once

#include <functional>

#include "prism/gpu/context.hpp"

namespace prism::bench {

struct Timing {
    double seconds_per_rep = 0;
    int reps = 0;
};

// Times `record_one` (which records one repetition of an op): a warm-up submit, then
// batches of repetitions recorded into one command buffer and submitted once, growing
// until a batch takes at least `min_seconds` (stats.hpp's clock). Time per repetition of the last
// batch, so submit overhead is amortised over the batch.
Timing time_case(gpu::Context& context, const std::function<void(gpu::Recorder&)>& record_one,
                 double min_seconds);

}  // namespace prism::bench
