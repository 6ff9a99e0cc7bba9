// Audio decoding through FFmpeg: the container is probed from the bytes among the audio and
// video formats Prism accepts, the best audio stream is decoded and converted to 16 kHz mono
// float. Length caps are enforced before decoding (the declared length) and while decoding (the
// decoded length), and a file that ends before the length it declares is refused as truncated.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string_view>

#include "media/audio_file_reader.hpp"
#include "media/audio_resampler.hpp"
#include "media/container_truncation.hpp"
#include "media/ffmpeg_handles.hpp"
#include "media/media_input.hpp"
#include "media/memory_reader.hpp"
#include "prism/media/audio.hpp"

namespace prism::media {
namespace {

using namespace detail;

// The containers Prism reads sound from, by FFmpeg demuxer name (the first of its names), with
// the name messages use. Anything else (an image, a subtitle file, a playlist) is refused
// before its demuxer runs.
struct AcceptedFormat {
    std::string_view demuxer;
    const char* label;
};
constexpr AcceptedFormat accepted_formats[] = {
    {"wav", "WAV"},   {"w64", "Wave64"}, {"aiff", "AIFF"},   {"mp3", "MP3"},
    {"flac", "FLAC"}, {"ogg", "Ogg"},    {"mov", "MP4/M4A"}, {"matroska", "Matroska/WebM"},
    {"aac", "AAC"},   {"avi", "AVI"},    {"caf", "CAF"},
};
constexpr const char* accepted_formats_text =
    "WAV, MP3, FLAC, Ogg Vorbis/Opus, M4A/AAC, or a video with sound";

const AcceptedFormat* accepted_format(const AVInputFormat& format) {
    const std::string_view names = format.name;
    const std::string_view first = names.substr(0, names.find(','));
    for (const AcceptedFormat& accepted : accepted_formats) {
        if (accepted.demuxer == first) return &accepted;
    }
    return nullptr;
}

std::string accepted_demuxer_list() {
    std::string list;
    for (const AcceptedFormat& accepted : accepted_formats) {
        if (!list.empty()) list += ',';
        list += accepted.demuxer;
    }
    return list;
}

// A file whose decoded length falls short of the length its container declares by more than
// this is truncated. The slack covers encoder delay and padding, which containers count but
// decoders drop: up to about two codec frames (an MP3's 1105-sample delay plus its last frame).
double truncation_slack_seconds(const AVCodecParameters& params) {
    const double frames = params.sample_rate > 0 && params.frame_size > 0
                              ? 3.0 * params.frame_size / params.sample_rate
                              : 0.0;
    return 0.02 + frames;
}

// The length the container states for the sound, in seconds, or a negative number when it
// states none. Lengths FFmpeg estimates from the bit rate (MP3 without a Xing header, ADTS)
// are not statements. The whole file's length stands for the sound's only when the sound is
// all the file holds: a video's sound track may end before its picture.
double declared_seconds(const AVFormatContext& format, const AVStream& stream) {
    if (format.duration_estimation_method == AVFMT_DURATION_FROM_BITRATE) return -1;
    if (stream.duration != AV_NOPTS_VALUE && stream.duration > 0)
        return static_cast<double>(stream.duration) * av_q2d(stream.time_base);
    if (format.nb_streams == 1 && format.duration != AV_NOPTS_VALUE && format.duration > 0)
        return static_cast<double>(format.duration) / AV_TIME_BASE;
    return -1;
}

class StreamDecoder {
  public:
    StreamDecoder(AVFormatContext& format, int stream_index, std::string_view name,
                  const AudioDecodeLimits& limits)
        : format_(format),
          stream_index_(stream_index),
          name_(name),
          limits_(limits),
          resampler_(std::string(name)),
          max_samples_(limits.max_seconds * audio_sample_rate) {
        const AVCodecParameters& params = *format.streams[stream_index]->codecpar;
        const AVCodec* codec = avcodec_find_decoder(params.codec_id);
        if (codec == nullptr) {
            fail(name, std::string("this FFmpeg build has no decoder for ") +
                           avcodec_get_name(params.codec_id) + " audio");
        }
        context_.reset(avcodec_alloc_context3(codec));
        if (!context_) throw std::bad_alloc();
        int rc = avcodec_parameters_to_context(context_.get(), &params);
        if (rc < 0) fail(name, "cannot set up the audio decoder: " + ffmpeg_reason(rc));
        context_->thread_count = 1;
        // Decoders that can say so report damaged frames as errors instead of hiding them.
        context_->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK;
        rc = avcodec_open2(context_.get(), codec, nullptr);
        if (rc < 0) fail(name, "cannot open the audio decoder: " + ffmpeg_reason(rc));
        packet_.reset(av_packet_alloc());
        frame_.reset(av_frame_alloc());
        if (!packet_ || !frame_) throw std::bad_alloc();
    }

    void run(Audio& audio) {
        bool flushed = false;
        while (true) {
            int rc = avcodec_receive_frame(context_.get(), frame_.get());
            if (rc == 0) {
                take_frame(audio);
                continue;
            }
            if (rc == AVERROR_EOF) break;
            if (rc != AVERROR(EAGAIN)) fail_corrupt(audio, rc);
            if (flushed) break;
            rc = av_read_frame(&format_, packet_.get());
            if (rc == AVERROR_EOF) {
                rc = avcodec_send_packet(context_.get(), nullptr);
                flushed = true;
            } else if (rc < 0) {
                fail_corrupt(audio, rc);
            } else {
                if (packet_->stream_index == stream_index_) {
                    last_packet_end_ = packet_->pos >= 0 ? packet_->pos + packet_->size : -1;
                    rc = avcodec_send_packet(context_.get(), packet_.get());
                }
                av_packet_unref(packet_.get());
            }
            if (rc < 0 && rc != AVERROR(EAGAIN)) fail_corrupt(audio, rc);
        }
        resampler_.flush(audio.samples);
        check_length(audio);
        audio.source_codec = context_->codec->name;
        audio.source_sample_rate = context_->sample_rate;
        audio.source_channels = context_->ch_layout.nb_channels;
    }

    // Seconds of sound decoded, at the source rate.
    double decoded_seconds() const { return source_seconds_; }

  private:
    void take_frame(Audio& audio) {
        if (frame_->nb_samples > 0 && frame_->sample_rate > 0) {
            source_seconds_ += static_cast<double>(frame_->nb_samples) / frame_->sample_rate;
        }
        const std::size_t start = audio.samples.size();
        resampler_.convert(*frame_, audio.samples);
        av_frame_unref(frame_.get());
        check_length(audio);
        // Float PCM can hold NaN or infinity, which no later step could make sense of.
        const auto first = audio.samples.begin() + static_cast<std::ptrdiff_t>(start);
        if (std::any_of(first, audio.samples.end(), [](float s) { return !std::isfinite(s); })) {
            audio.samples.resize(start);
            fail(name_, "corrupt audio data after " + describe_seconds(audio.duration_seconds()) +
                            ": samples that are not finite numbers");
        }
    }

    void check_length(const Audio& audio) const {
        if (static_cast<double>(audio.samples.size()) > max_samples_) {
            fail(name_,
                 "the sound goes on past the limit of " + describe_seconds(limits_.max_seconds));
        }
    }

    // A decoder that fails on the file's last bytes met a frame cut short: a truncated file.
    [[noreturn]] void fail_corrupt(const Audio& audio, int code) const {
        const std::int64_t size = avio_size(format_.pb);
        const std::string when = describe_seconds(audio.duration_seconds());
        if (last_packet_end_ >= 0 && size > 0 && last_packet_end_ >= size) {
            fail(name_, "the file is truncated: its sound stops inside a frame after " + when);
        }
        fail(name_, "corrupt audio data after " + when + ": " + ffmpeg_reason(code));
    }

    AVFormatContext& format_;
    int stream_index_;
    std::string_view name_;
    const AudioDecodeLimits& limits_;
    AudioResampler resampler_;
    double max_samples_;
    double source_seconds_ = 0;
    std::int64_t last_packet_end_ = -1;  // byte offset after the last packet sent, -1 unknown
    CodecContextPtr context_;
    PacketPtr packet_;
    FramePtr frame_;
};

void check_container_complete(AVIOContext& io, std::string_view name) {
    const std::optional<ContainerTruncation> cut = find_container_truncation(io);
    if (!cut) return;
    if (cut->bytes_per_second > 0) {
        const auto seconds = [&](std::int64_t bytes) {
            return describe_seconds(static_cast<double>(bytes) /
                                    static_cast<double>(cut->bytes_per_second));
        };
        fail(name, "the file is truncated: it holds " + seconds(cut->present_bytes) + " of the " +
                       seconds(cut->declared_bytes) + " its header declares");
    }
    fail(name, "the file is truncated: its " + cut->part + " is " +
                   std::to_string(cut->declared_bytes) + " bytes, the file holds " +
                   std::to_string(cut->present_bytes) + " of them");
}

// Probes the container among the accepted ones and reads its header.
FormatContextPtr open_container(AVIOContext& io, std::string_view name) {
    const AVInputFormat* input = nullptr;
    // No file name: the content alone decides.
    int rc = av_probe_input_buffer2(&io, &input, "", nullptr, 0, 0);
    if (rc < 0 || input == nullptr) {
        fail(name, std::string("not a recognised audio file (") + accepted_formats_text +
                       "): " + ffmpeg_reason(rc < 0 ? rc : AVERROR_INVALIDDATA));
    }
    const AcceptedFormat* accepted = accepted_format(*input);
    if (accepted == nullptr) {
        fail(name, std::string("not an audio format Prism reads (") + accepted_formats_text +
                       "): the file is " + (input->long_name ? input->long_name : input->name));
    }
    static const std::string whitelist = accepted_demuxer_list();
    return open_probed_container(io, input, whitelist, accepted->label, name, true);
}

Audio decode_audio(AVIOContext& io, std::string_view name, const AudioDecodeLimits& limits) {
    check_container_complete(io, name);
    FormatContextPtr format = open_container(io, name);
    const int stream_index =
        av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (stream_index == AVERROR_STREAM_NOT_FOUND) fail(name, "the file has no sound track");
    if (stream_index < 0) fail(name, "cannot find the sound track: " + ffmpeg_reason(stream_index));
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        if (static_cast<int>(i) != stream_index) format->streams[i]->discard = AVDISCARD_ALL;
    }
    const AVStream& stream = *format->streams[stream_index];
    const double declared = declared_seconds(*format, stream);
    if (declared > limits.max_seconds) {
        fail(name, "the sound lasts " + describe_seconds(declared) + ", over the limit of " +
                       describe_seconds(limits.max_seconds));
    }

    Audio audio;
    StreamDecoder decoder(*format, stream_index, name, limits);
    decoder.run(audio);
    if (declared > 0 &&
        decoder.decoded_seconds() < declared - truncation_slack_seconds(*stream.codecpar)) {
        fail(name, "the file is truncated: it holds " +
                       describe_seconds(decoder.decoded_seconds()) + " of the " +
                       describe_seconds(declared) + " it declares");
    }
    if (audio.samples.empty()) fail(name, "the file holds no sound (no samples)");
    audio.samples.shrink_to_fit();  // growth may have left up to twice the room
    float peak = 0;
    for (const float s : audio.samples) peak = std::max(peak, std::fabs(s));
    audio.peak = peak;
    audio.name = std::string(name);
    return audio;
}

// Decodes through a custom AVIOContext over `reader`'s callbacks.
template <typename Reader>
Audio decode_through(Reader& reader, std::string_view name, const AudioDecodeLimits& limits) {
    const auto t0 = std::chrono::steady_clock::now();
    IoContextPtr io = make_custom_io(&reader, &Reader::read, &Reader::seek);
    Audio audio = decode_audio(*io, name, limits);
    audio.decode_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return audio;
}

}  // namespace

Audio decode_audio_memory(std::span<const std::uint8_t> bytes, std::string_view name,
                          const AudioDecodeLimits& limits) {
    silence_ffmpeg_log();
    clear_ffmpeg_log();
    check_input_size(name, bytes.size(), limits.max_bytes);
    MemoryReader reader{bytes};
    return decode_through(reader, name, limits);
}

Audio decode_audio_file(const std::filesystem::path& path, const AudioDecodeLimits& limits) {
    silence_ffmpeg_log();
    clear_ffmpeg_log();
    const std::string name = path.string();
    AudioFileReader reader(path, limits.max_bytes);
    return decode_through(reader, name, limits);
}

}  // namespace prism::media
