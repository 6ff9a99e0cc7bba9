#include "bench/case_timer.hpp"

#include <algorithm>

#include "bench/stats.hpp"

namespace prism::bench {

Timing time_case(gpu::Context& context, const std::function<void(gpu::Recorder&)>& record_one,
                 double min_seconds) {
    auto run = [&](int reps) {
        auto rec = context.record();
        for (int i = 0; i < reps; ++i) record_one(rec);
        return seconds([&] { context.submit(rec); });
    };
    run(1);  // warm-up: pipelines, caches, clocks
    int reps = 1;
    for (;;) {
        const double took = run(reps);
        if (took >= min_seconds || reps >= 4096) return {took / reps, reps};
        const double scale = took > 0 ? min_seconds / took * 1.2 : 8.0;
        reps = std::min(4096, std::max(reps * 2, static_cast<int>(reps * scale)));
    }
}

}  // namespace prism::bench
