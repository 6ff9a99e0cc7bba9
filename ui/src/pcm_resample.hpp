#pragma once

// Sample-rate conversion of mono 16-bit sound (speexdsp's resampler): espeak-ng's voice rate to
// the echo canceller's 16 kHz and to the sound card's rate.

#include <cstdint>
#include <span>
#include <vector>

namespace prism::ui {

// The whole of `samples` at `to_rate` Hz (about samples * to_rate / from_rate of them).
std::vector<std::int16_t> resample_pcm(std::span<const std::int16_t> samples, int from_rate,
                                       int to_rate);

}  // namespace prism::ui
