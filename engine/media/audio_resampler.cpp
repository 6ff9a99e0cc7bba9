#include "media/audio_resampler.hpp"

extern "C" {
#include <libavutil/opt.h>
}

#include "media/media_input.hpp"
#include "prism/media/audio.hpp"

namespace prism::media::detail {
namespace {

// Rates outside this range are not audio a speech model can use; a corrupt header is the
// usual source, and converting 1 Hz to 16 kHz would multiply the data 16000 times.
constexpr int min_source_rate = 1000;
constexpr int max_source_rate = 768000;
constexpr int max_channels = 64;  // libswresample's limit

}  // namespace

void AudioResampler::configure(const AVFrame& frame) {
    if (frame.sample_rate < min_source_rate || frame.sample_rate > max_source_rate) {
        fail(name_, "unsupported sample rate " + std::to_string(frame.sample_rate) + " Hz");
    }
    const int channels = frame.ch_layout.nb_channels;
    if (channels < 1 || channels > max_channels) {
        fail(name_, "unsupported channel count " + std::to_string(channels));
    }
    // A layout without named channels (a WAV without a channel mask, say) gets no default
    // down-mix from libswresample; every channel then counts equally.
    const bool named = frame.ch_layout.order == AV_CHANNEL_ORDER_NATIVE;
    AVChannelLayout input{};
    if (named) {
        av_channel_layout_copy(&input, &frame.ch_layout);
    } else {
        av_channel_layout_default(&input, channels);
    }
    AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
    SwrContext* raw = nullptr;
    int rc = swr_alloc_set_opts2(&raw, &mono, AV_SAMPLE_FMT_FLT, audio_sample_rate, &input,
                                 static_cast<AVSampleFormat>(frame.format), frame.sample_rate, 0,
                                 nullptr);
    av_channel_layout_uninit(&input);
    SwrPtr swr(raw);
    if (rc < 0 || !swr) fail(name_, "cannot set up the sample-rate converter");
    // The down-mix is normalised as the ffmpeg tool does for integer output: stereo becomes
    // the mean of the two channels, not their sum scaled by 1/sqrt(2).
    av_opt_set_double(swr.get(), "rematrix_maxval", 1.0, 0);
    if (!named) {
        std::vector<double> weights(static_cast<std::size_t>(channels), 1.0 / channels);
        rc = swr_set_matrix(swr.get(), weights.data(), channels);
        if (rc < 0) fail(name_, "cannot mix " + std::to_string(channels) + " channels to mono");
    }
    rc = swr_init(swr.get());
    if (rc < 0) {
        fail(name_, "cannot convert " + std::to_string(channels) + " channels at " +
                        std::to_string(frame.sample_rate) +
                        " Hz to 16 kHz mono: " + ffmpeg_error_text(rc));
    }
    swr_ = std::move(swr);
    format_ = frame.format;
    rate_ = frame.sample_rate;
    av_channel_layout_uninit(&layout_);
    av_channel_layout_copy(&layout_, &frame.ch_layout);
}

void AudioResampler::drain_into(std::vector<float>& out, const std::uint8_t* const* input,
                                int count) {
    const int room = swr_get_out_samples(swr_.get(), count);
    if (room < 0) fail(name_, "the sample-rate converter failed");
    const std::size_t old_size = out.size();
    out.resize(old_size + static_cast<std::size_t>(room));
    auto* target = reinterpret_cast<std::uint8_t*>(out.data() + old_size);
    const int written =
        swr_convert(swr_.get(), &target, room, const_cast<const std::uint8_t**>(input), count);
    if (written < 0) {
        out.resize(old_size);
        fail(name_, "the sample-rate converter failed: " + ffmpeg_error_text(written));
    }
    out.resize(old_size + static_cast<std::size_t>(written));
}

void AudioResampler::convert(const AVFrame& frame, std::vector<float>& out) {
    if (frame.nb_samples <= 0) return;
    const bool same = swr_ && frame.format == format_ && frame.sample_rate == rate_ &&
                      av_channel_layout_compare(&frame.ch_layout, &layout_) == 0;
    if (!same) {
        flush(out);
        configure(frame);
    }
    drain_into(out, frame.extended_data, frame.nb_samples);
}

void AudioResampler::flush(std::vector<float>& out) {
    if (swr_) drain_into(out, nullptr, 0);
}

}  // namespace prism::media::detail
