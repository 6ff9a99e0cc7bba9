#pragma once

// The weights of Silero VAD (16 kHz) as the network code uses them: plain float arrays in
// PyTorch's layouts, whatever precision the file stored them in.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace prism::vad {

// The one architecture Prism runs: the shapes every Silero VAD 5.x/6.x 16 kHz file declares.
inline constexpr int kWindowSamples = 512;
inline constexpr int kContextSamples = 64;
inline constexpr int kFilterLength = 256;  // STFT window, hop 128
inline constexpr int kStftHop = 128;
inline constexpr int kFrequencyBins = 129;
inline constexpr int kStftFrames = 4;  // (64 + 512 + 64 reflected - 256) / 128 + 1
inline constexpr int kEncoderLayers = 4;
inline constexpr int kConvKernel = 3;
inline constexpr std::array<int, kEncoderLayers> kEncoderIn = {129, 128, 64, 64};
inline constexpr std::array<int, kEncoderLayers> kEncoderOut = {128, 64, 64, 128};
inline constexpr std::array<int, kEncoderLayers> kEncoderStride = {1, 2, 2, 1};
inline constexpr int kLstmSize = 128;
inline constexpr int kLstmGates = 4 * kLstmSize;

struct ConvWeights {
    std::vector<float> weight;  // [out][in][kConvKernel]
    std::vector<float> bias;    // [out]
};

struct SileroWeights {
    std::string version;  // "6.2.0", from the file header
    std::vector<float>
        stft_basis;  // [2 * kFrequencyBins][kFilterLength]: real rows, then imaginary
    std::array<ConvWeights, kEncoderLayers> encoder;
    std::vector<float> lstm_input;   // weight_ih [kLstmGates][kLstmSize], gates i, f, g, o
    std::vector<float> lstm_hidden;  // weight_hh [kLstmGates][kLstmSize]
    std::vector<float> lstm_bias;    // bias_ih + bias_hh [kLstmGates]
    std::vector<float> head_weight;  // the final 1x1 convolution [kLstmSize]
    float head_bias = 0;
};

// Reads whisper.cpp's ggml container for Silero VAD (models/convert-silero-vad-to-ggml.py):
// int32 magic "ggml", the model type "silero-16k", the version, the hyperparameters, then
// tensors (n_dims, name length, type f32/f16, dims innermost first, name, data). Every count,
// size and offset is checked against the bytes that remain; anything else than the one
// architecture above is refused. Throws FormatError "<name>: <problem>".
SileroWeights read_silero_weights(std::span<const std::uint8_t> bytes, std::string_view name);

}  // namespace prism::vad
