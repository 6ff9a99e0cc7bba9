#pragma once

// Mean and sample standard deviation of repeated measurements, and a stopwatch.

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string_view>
#include <vector>

namespace prism::bench {

struct Stats {
    double mean = 0, sd = 0;
};

inline Stats stats(const std::vector<double>& xs) {
    Stats s;
    if (xs.empty()) return s;
    for (double x : xs) s.mean += x;
    s.mean /= static_cast<double>(xs.size());
    if (xs.size() > 1) {
        for (double x : xs) s.sd += (x - s.mean) * (x - s.mean);
        s.sd = std::sqrt(s.sd / static_cast<double>(xs.size() - 1));
    }
    return s;
}

// Seconds on the benchmarks' clock: wall time, or with PRISM_BENCH_CLOCK=cpu the process's CPU
// time (all its threads, a CPU device's workers included). On a machine shared with other
// work the CPU time measures the work done rather than the wait for a core; on an idle
// machine with a CPU device it is about the wall time times the cores kept busy.
inline double clock_seconds() {
    static const bool cpu = [] {
        const char* v = std::getenv("PRISM_BENCH_CLOCK");
        return v != nullptr && std::string_view(v) == "cpu";
    }();
    if (cpu) {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// CPU time of the calling thread: the work of one thread, whatever else the machine runs.
inline double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <typename Work>
double seconds(Work&& work) {
    const double t0 = clock_seconds();
    work();
    return clock_seconds() - t0;
}

}  // namespace prism::bench
