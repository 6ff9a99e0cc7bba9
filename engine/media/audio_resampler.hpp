#pragma once

// Turns decoded audio frames of any sample format, rate and channel layout into 16 kHz mono
// float through libswresample (its default filter, as the ffmpeg tool uses).

#include <string>
#include <vector>

#include "media/ffmpeg_handles.hpp"

namespace prism::media::detail {

class AudioResampler {
  public:
    explicit AudioResampler(std::string name) : name_(std::move(name)) {}
    ~AudioResampler() { av_channel_layout_uninit(&layout_); }
    AudioResampler(const AudioResampler&) = delete;
    AudioResampler& operator=(const AudioResampler&) = delete;

    // Appends the frame's sound to `out`. A frame whose format, rate or layout differs from
    // the previous one (a chained Ogg stream, an MP3 that changes rate) first drains the old
    // converter. Throws MediaError for a rate or channel count FFmpeg cannot convert.
    void convert(const AVFrame& frame, std::vector<float>& out);
    // Appends what the converter still holds (its filter delay); call once at the end.
    void flush(std::vector<float>& out);

  private:
    void configure(const AVFrame& frame);
    void drain_into(std::vector<float>& out, const std::uint8_t* const* input, int count);

    std::string name_;
    SwrPtr swr_;
    int format_ = -1;
    int rate_ = 0;
    AVChannelLayout layout_{};
};

}  // namespace prism::media::detail
