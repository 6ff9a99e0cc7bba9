// The network, as the TorchScript model in the silero-vad package (6.2) runs it for 16 kHz:
//
//   x = context (64) ++ window (512); reflect-pad 64 on the right        -> 640 samples
//   STFT: conv1d with the 258 x 256 basis at hop 128; |re, im| of 129 bins -> [129, 4]
//   encoder: conv1d k3 pad 1, strides 1, 2, 2, 1, each + ReLU              -> [128, 1]
//   LSTMCell(128) on that vector with (h, c); ReLU(h) . w + b; sigmoid    -> probability
//
// Loops are written for the compiler to vectorise: each output is a dot product over
// contiguous memory with eight independent partial sums.

#include "vad/silero_network.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace prism::vad {
namespace {

float dot(const float* a, const float* b, int n) {
    float partial[8] = {};
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        for (int j = 0; j < 8; ++j) partial[j] += a[i + j] * b[i + j];
    }
    float sum = 0;
    for (; i < n; ++i) sum += a[i] * b[i];
    for (const float p : partial) sum += p;
    return sum;
}

float sigmoid(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

// Conv1d(kernel 3, padding 1, `stride`) + ReLU over input [in][frames_in] into
// output [out][frames_out].
int conv_relu(const ConvWeights& layer, int in, int out, int stride, const float* input,
              int frames_in, float* output, float* column) {
    const int frames_out = (frames_in + 2 - kConvKernel) / stride + 1;
    const int taps = in * kConvKernel;
    for (int t = 0; t < frames_out; ++t) {
        // The inputs this frame sees, laid out as the weight rows are ([channel][tap]).
        for (int c = 0; c < in; ++c) {
            for (int k = 0; k < kConvKernel; ++k) {
                const int src = t * stride + k - 1;
                column[c * kConvKernel + k] =
                    src >= 0 && src < frames_in ? input[c * frames_in + src] : 0.0f;
            }
        }
        for (int o = 0; o < out; ++o) {
            const float v = layer.bias[o] + dot(layer.weight.data() + o * taps, column, taps);
            output[o * frames_out + t] = std::max(v, 0.0f);
        }
    }
    return frames_out;
}

void stft_magnitude(const SileroWeights& w, const float* padded, float* spectrum) {
    for (int bin = 0; bin < kFrequencyBins; ++bin) {
        const float* re_row = w.stft_basis.data() + bin * kFilterLength;
        const float* im_row = w.stft_basis.data() + (bin + kFrequencyBins) * kFilterLength;
        for (int t = 0; t < kStftFrames; ++t) {
            const float* x = padded + t * kStftHop;
            const float re = dot(re_row, x, kFilterLength);
            const float im = dot(im_row, x, kFilterLength);
            spectrum[bin * kStftFrames + t] = std::sqrt(re * re + im * im);
        }
    }
}

void lstm_step(const SileroWeights& w, const float* x, SileroState& state, float* gates) {
    for (int g = 0; g < kLstmGates; ++g) {
        gates[g] = w.lstm_bias[g] + dot(w.lstm_input.data() + g * kLstmSize, x, kLstmSize) +
                   dot(w.lstm_hidden.data() + g * kLstmSize, state.h.data(), kLstmSize);
    }
    for (int j = 0; j < kLstmSize; ++j) {
        const float i = sigmoid(gates[j]);
        const float f = sigmoid(gates[kLstmSize + j]);
        const float g = std::tanh(gates[2 * kLstmSize + j]);
        const float o = sigmoid(gates[3 * kLstmSize + j]);
        state.c[j] = f * state.c[j] + i * g;
        state.h[j] = o * std::tanh(state.c[j]);
    }
}

}  // namespace

float silero_window(const SileroWeights& w, std::span<const float, kWindowSamples> window,
                    SileroState& state, SileroScratch& s) {
    constexpr int kInput = kContextSamples + kWindowSamples;
    float* x = s.padded.data();
    std::copy(state.context.begin(), state.context.end(), x);
    std::copy(window.begin(), window.end(), x + kContextSamples);
    // Reflection without repeating the edge sample, as torch's ReflectionPad1d.
    for (int j = 0; j < kContextSamples; ++j) x[kInput + j] = x[kInput - 2 - j];
    std::copy(x + kInput - kContextSamples, x + kInput, state.context.begin());

    stft_magnitude(w, x, s.spectrum.data());
    int frames = kStftFrames;
    const float* input = s.spectrum.data();
    float* buffers[2] = {s.layer_a.data(), s.layer_b.data()};
    for (int layer = 0; layer < kEncoderLayers; ++layer) {
        float* output = buffers[layer % 2];
        frames = conv_relu(w.encoder[layer], kEncoderIn[layer], kEncoderOut[layer],
                           kEncoderStride[layer], input, frames, output, s.column.data());
        input = output;
    }
    // One frame is left: the encoder's output vector is the LSTM's input.
    lstm_step(w, input, state, s.gates.data());
    float logit = w.head_bias;
    for (int j = 0; j < kLstmSize; ++j) logit += std::max(state.h[j], 0.0f) * w.head_weight[j];
    return sigmoid(logit);
}

}  // namespace prism::vad
