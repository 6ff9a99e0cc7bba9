#pragma once

// Mean and sample standard deviation of repeated measurements, and a stopwatch.

#include <chrono>
#include <cmath>
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

template <typename Work>
double seconds(Work&& work) {
    const auto t0 = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace prism::bench
