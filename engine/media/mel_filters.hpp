#pragma once

// Slaney-style mel filters over the 201 bins of a 400-point FFT at 16 kHz, as transformers'
// mel_filter_bank(201, n_mel, 0, 8000, 16000, norm="slaney", mel_scale="slaney") computes
// them (and librosa's default filters): n_mel + 2 points equally spaced on the Slaney mel scale
// (linear below 1 kHz, logarithmic above), triangles over the bin frequencies k * 40 Hz,
// each scaled by 2 / (its right edge - its left edge).

#include <vector>

namespace prism::media::detail {

struct MelFilter {
    int first_bin = 0;            // bins below are zero
    std::vector<double> weights;  // bins first_bin, first_bin + 1, ...; zero after
};

std::vector<MelFilter> slaney_mel_filters(int n_mel);

}  // namespace prism::media::detail
