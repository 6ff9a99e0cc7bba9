#include "pcm_resample.hpp"

#include <speex/speex_resampler.h>

#include <memory>
#include <stdexcept>

namespace prism::ui {
namespace {

// Quality 5 of 10: speexdsp's default for voice, well under a millisecond per second of sound.
constexpr int kQuality = 5;

struct ResamplerDeleter {
    void operator()(SpeexResamplerState* s) const { speex_resampler_destroy(s); }
};

}  // namespace

std::vector<std::int16_t> resample_pcm(std::span<const std::int16_t> samples, int from_rate,
                                       int to_rate) {
    if (from_rate <= 0 || to_rate <= 0) throw std::invalid_argument("sample rate must be positive");
    if (from_rate == to_rate || samples.empty())
        return std::vector<std::int16_t>(samples.begin(), samples.end());
    int error = 0;
    std::unique_ptr<SpeexResamplerState, ResamplerDeleter> state(
        speex_resampler_init(1, static_cast<spx_uint32_t>(from_rate),
                             static_cast<spx_uint32_t>(to_rate), kQuality, &error));
    if (!state || error != RESAMPLER_ERR_SUCCESS)
        throw std::runtime_error(speex_resampler_strerror(error));
    // The filter delays its output by input_latency samples; the input is followed by that many
    // zeros and the output's first output_latency samples skipped, so the sound keeps its timing.
    const int in_latency = speex_resampler_get_input_latency(state.get());
    const int out_latency = speex_resampler_get_output_latency(state.get());
    std::vector<std::int16_t> input(samples.begin(), samples.end());
    input.insert(input.end(), static_cast<std::size_t>(in_latency), 0);
    const std::size_t wanted = static_cast<std::size_t>(
        (static_cast<std::int64_t>(samples.size()) * to_rate + from_rate / 2) / from_rate);
    std::vector<std::int16_t> output(wanted + static_cast<std::size_t>(out_latency) + 16);
    spx_uint32_t in_len = static_cast<spx_uint32_t>(input.size());
    spx_uint32_t out_len = static_cast<spx_uint32_t>(output.size());
    speex_resampler_process_int(state.get(), 0, input.data(), &in_len, output.data(), &out_len);
    output.resize(out_len);
    const std::size_t skip =
        std::min<std::size_t>(static_cast<std::size_t>(out_latency), output.size());
    output.erase(output.begin(), output.begin() + static_cast<std::ptrdiff_t>(skip));
    output.resize(std::min(output.size(), wanted));
    return output;
}

}  // namespace prism::ui
