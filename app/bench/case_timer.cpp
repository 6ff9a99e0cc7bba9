#include "bench/case_timer.hpp"

#include <algorithm>
#include <chrono>

namespace prism::bench {

Timing time_case(gpu::Context& context, const std::function<void(gpu::Recorder&)>& record_one,
                 double min_seconds) {
    using clock = std::chrono::steady_clock;
    auto run = [&](int reps) {
        auto rec = context.record();
        for (int i = 0; i < reps; ++i) record_one(rec);
        const auto start = clock::now();
        context.submit(rec);
        return std::chrono::duration<double>(clock::now() - start).count();
    };
    run(1);  // warm-up: pipelines, caches, clocks
    int reps = 1;
    for (;;) {
        const double seconds = run(reps);
        if (seconds >= min_seconds || reps >= 4096) return {seconds / reps, reps};
        const double scale = seconds > 0 ? min_seconds / seconds * 1.2 : 8.0;
        reps = std::min(4096, std::max(reps * 2, static_cast<int>(reps * scale)));
    }
}

}  // namespace prism::bench
