#pragma once

// Silero VAD's network for one 32-ms window, on the CPU. Its size (about 0.6 M multiply-adds a
// window) is far too small to pay for a GPU submit, and a CPU loop never waits behind the
// language model's command buffers (docs/architecture.md, "Voice activity").

#include <array>
#include <span>

#include "vad/silero_weights.hpp"

namespace prism::vad {

// What the model carries from one window to the next: the LSTM's h and c, and the last
// kContextSamples samples, which the model sees again in front of the next window.
struct SileroState {
    std::array<float, kLstmSize> h{};
    std::array<float, kLstmSize> c{};
    std::array<float, kContextSamples> context{};
};

// Scratch space for one window, kept between calls so that a window allocates nothing.
struct SileroScratch {
    std::array<float, kContextSamples + kWindowSamples + kContextSamples> padded{};
    std::array<float, kFrequencyBins * kStftFrames> spectrum{};  // [bin][frame]
    std::array<float, 128 * 4> layer_a{};                        // [channel][frame]
    std::array<float, 128 * 4> layer_b{};
    std::array<float, 129 * kConvKernel> column{};  // one output frame's inputs, [channel][tap]
    std::array<float, kLstmGates> gates{};
};

// The speech probability of `window` (kWindowSamples samples), advancing `state` as the
// silero-vad package's model does for one call.
float silero_window(const SileroWeights& w, std::span<const float, kWindowSamples> window,
                    SileroState& state, SileroScratch& scratch);

}  // namespace prism::vad
