#include "media/mel_filters.hpp"

#include <algorithm>
#include <cmath>

namespace prism::media::detail {
namespace {

constexpr double min_log_hertz = 1000.0;
constexpr double min_log_mel = 15.0;

double hertz_to_mel(double hertz) {
    if (hertz < min_log_hertz) return 3.0 * hertz / 200.0;
    return min_log_mel + std::log(hertz / min_log_hertz) * (27.0 / std::log(6.4));
}

double mel_to_hertz(double mel) {
    if (mel < min_log_mel) return 200.0 * mel / 3.0;
    return min_log_hertz * std::exp(std::log(6.4) / 27.0 * (mel - min_log_mel));
}

}  // namespace

std::vector<MelFilter> slaney_mel_filters(int n_mel) {
    constexpr int bins = 201;
    constexpr double bin_hertz = 40.0;  // 8000 Hz / 200
    // numpy.linspace(mel(0), mel(8000), n_mel + 2): start + i * step, the last point exact.
    const double mel_low = hertz_to_mel(0.0), mel_high = hertz_to_mel(8000.0);
    const double step = (mel_high - mel_low) / (n_mel + 1);
    std::vector<double> edges(static_cast<std::size_t>(n_mel + 2));
    for (int i = 0; i < n_mel + 2; ++i) {
        const double mel = i == n_mel + 1 ? mel_high : i * step + mel_low;
        edges[static_cast<std::size_t>(i)] = mel_to_hertz(mel);
    }

    std::vector<MelFilter> filters(static_cast<std::size_t>(n_mel));
    for (std::size_t m = 0; m < filters.size(); ++m) {
        const double left = edges[m], centre = edges[m + 1], right = edges[m + 2];
        const double area_scale = 2.0 / (right - left);
        std::vector<double> row(bins);
        int first = bins, last = -1;
        for (int k = 0; k < bins; ++k) {
            const double f = k * bin_hertz;
            const double down = -(left - f) / (centre - left);
            const double up = (right - f) / (right - centre);
            const double w = std::max(0.0, std::min(down, up)) * area_scale;
            row[static_cast<std::size_t>(k)] = w;
            if (w != 0.0) {
                first = std::min(first, k);
                last = k;
            }
        }
        if (last >= first) {
            filters[m].first_bin = first;
            filters[m].weights.assign(row.begin() + first, row.begin() + last + 1);
        }
    }
    return filters;
}

}  // namespace prism::media::detail
