// Video decoding through FFmpeg: the container is probed from the bytes among the video formats
// Prism accepts, the main picture stream is sampled at the times video_sample_times() gives
// (jumping to the keyframe before a sample where the container has an index), each sample is
// converted to upright RGB, and the sound track goes through the audio decoder.

#include <algorithm>
#include <cmath>
#include <limits>

extern "C" {
#include <libavutil/display.h>
}

#include "media/audio_file_reader.hpp"
#include "media/container_truncation.hpp"
#include "media/ffmpeg_handles.hpp"
#include "media/frame_to_rgb.hpp"
#include "media/media_input.hpp"
#include "media/memory_reader.hpp"
#include "media/orientation.hpp"
#include "prism/media/video.hpp"

namespace prism::media {
namespace {

using namespace detail;

struct AcceptedFormat {
    std::string_view demuxer;  // FFmpeg's first name for it
    const char* label;
};
constexpr AcceptedFormat accepted_formats[] = {
    {"mov", "MP4/MOV"},  {"matroska", "Matroska/WebM"},
    {"avi", "AVI"},      {"mpegts", "MPEG-TS"},
    {"mpeg", "MPEG-PS"}, {"flv", "FLV"},
    {"ogg", "Ogg"},      {"asf", "ASF/WMV"},
};
constexpr const char* accepted_formats_text = "MP4, MOV, MKV, WebM, AVI, MPEG-TS, FLV or WMV";

// Without an index, a seek is a guess FFmpeg refines by reading; it pays only across a gap
// long enough that decoding through it would cost more.
constexpr double kSeekWithoutIndexSeconds = 10.0;

const AcceptedFormat* accepted_format(const AVInputFormat& format) {
    const std::string_view names = format.name;
    const std::string_view first = names.substr(0, names.find(','));
    for (const AcceptedFormat& accepted : accepted_formats) {
        if (accepted.demuxer == first) return &accepted;
    }
    return nullptr;
}

FormatContextPtr open_video_container(AVIOContext& io, std::string_view name) {
    if (const auto cut = find_container_truncation(io)) {
        fail(name, "the file is truncated: its " + cut->part + " is " +
                       std::to_string(cut->declared_bytes) + " bytes, the file holds " +
                       std::to_string(cut->present_bytes) + " of them");
    }
    const AVInputFormat* input = nullptr;
    int rc = av_probe_input_buffer2(&io, &input, "", nullptr, 0, 0);
    if (rc < 0 || input == nullptr) {
        fail(name, std::string("not a recognised video file (") + accepted_formats_text +
                       "): " + ffmpeg_reason(rc < 0 ? rc : AVERROR_INVALIDDATA));
    }
    const AcceptedFormat* accepted = accepted_format(*input);
    if (accepted == nullptr) {
        fail(name, std::string("not a video format Prism reads (") + accepted_formats_text +
                       "): the file is " + (input->long_name ? input->long_name : input->name));
    }
    return open_probed_container(io, input, std::string(accepted->demuxer), accepted->label, name);
}

// The picture stream: the best video stream that is not a cover picture (an M4A's artwork).
int find_picture_stream(AVFormatContext& format, std::string_view name) {
    const int best = av_find_best_stream(&format, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    const auto is_picture = [&](int i) {
        const AVStream& s = *format.streams[i];
        return s.codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
               (s.disposition & AV_DISPOSITION_ATTACHED_PIC) == 0;
    };
    if (best >= 0 && is_picture(best)) return best;
    for (unsigned i = 0; i < format.nb_streams; ++i)
        if (is_picture(static_cast<int>(i))) return static_cast<int>(i);
    fail(name, "the file has no video stream (a sound file? decode it as audio)");
}

// Seconds the container states for the picture stream, from its first picture, or a negative
// number when it states none (a live Matroska stream, MPEG-TS). Matroska states only the
// whole file's length, which runs from the earliest stream's start (a sound track's pre-roll)
// to the latest end: the picture's share is from its own start to that end.
double declared_seconds(const AVFormatContext& format, const AVStream& stream) {
    if (stream.duration != AV_NOPTS_VALUE && stream.duration > 0)
        return static_cast<double>(stream.duration) * av_q2d(stream.time_base);
    if (format.duration == AV_NOPTS_VALUE || format.duration <= 0) return -1;
    double end = static_cast<double>(format.duration) / AV_TIME_BASE;
    if (format.start_time != AV_NOPTS_VALUE && stream.start_time != AV_NOPTS_VALUE) {
        end += static_cast<double>(format.start_time) / AV_TIME_BASE -
               static_cast<double>(stream.start_time) * av_q2d(stream.time_base);
    }
    return end > 0 ? end : -1;
}

// The EXIF orientation (1, 3, 6 or 8) that turns the coded picture upright, from the display
// matrix a phone writes; players rotate by it, as the ffmpeg tool does.
int display_orientation(const AVStream& stream) {
    const auto* matrix = reinterpret_cast<const std::int32_t*>(
        av_stream_get_side_data(&stream, AV_PKT_DATA_DISPLAYMATRIX, nullptr));
    if (matrix == nullptr) return 1;
    const double counter_clockwise = av_display_rotation_get(matrix);
    if (!std::isfinite(counter_clockwise)) return 1;
    // Clockwise degrees to turn the picture, rounded to a quarter turn.
    const long quarter = std::lround(-counter_clockwise / 90.0);
    switch (((quarter % 4) + 4) % 4) {
        case 1:
            return 6;
        case 2:
            return 3;
        case 3:
            return 8;
        default:
            return 1;
    }
}

int capped_get_buffer(AVCodecContext* context, AVFrame* frame, int flags) {
    const auto max_pixels = *static_cast<const std::int64_t*>(context->opaque);
    if (std::int64_t{context->width} * context->height > max_pixels) return AVERROR(ERANGE);
    return avcodec_default_get_buffer2(context, frame, flags);
}

// Decodes the picture stream from wherever the demuxer stands and answers "which picture is on
// screen at time t" for increasing t, seeking ahead where that saves decoding.
class PictureSampler {
  public:
    PictureSampler(AVFormatContext& format, int stream_index, std::string_view name,
                   const VideoDecodeLimits& limits)
        : format_(format),
          stream_(*format.streams[stream_index]),
          stream_index_(stream_index),
          name_(name),
          limits_(limits),
          max_pixels_(limits.max_pixels) {
        const AVCodecParameters& params = *stream_.codecpar;
        const AVCodec* codec = avcodec_find_decoder(params.codec_id);
        if (codec == nullptr) {
            fail(name, std::string("this FFmpeg build has no decoder for ") +
                           avcodec_get_name(params.codec_id) + " video");
        }
        context_.reset(avcodec_alloc_context3(codec));
        if (!context_) throw std::bad_alloc();
        int rc = avcodec_parameters_to_context(context_.get(), &params);
        if (rc < 0) fail(name, "cannot set up the video decoder: " + ffmpeg_reason(rc));
        context_->thread_count = 1;
        context_->opaque = &max_pixels_;
        context_->get_buffer2 = capped_get_buffer;
        rc = avcodec_open2(context_.get(), codec, nullptr);
        if (rc < 0) fail(name, "cannot open the video decoder: " + ffmpeg_reason(rc));
        packet_.reset(av_packet_alloc());
        held_.reset(av_frame_alloc());
        pending_.reset(av_frame_alloc());
        scratch_.reset(av_frame_alloc());
        if (!packet_ || !held_ || !pending_ || !scratch_) throw std::bad_alloc();
        start_ = stream_.start_time != AV_NOPTS_VALUE ? stream_.start_time : 0;
        seekable_ = format.pb != nullptr && (format.pb->seekable & AVIO_SEEKABLE_NORMAL) != 0;
    }

    // The picture on screen at `seconds` from the start: the last one shown at or before it
    // (or the first picture, when the video starts later). Calls come in increasing order.
    const AVFrame& at(double seconds) {
        // A time that lands on a picture's tick in decimal (1.2 s at 1/10 s) may fall a hair
        // short of it in binary; it still means that picture.
        const std::int64_t target =
            start_ +
            static_cast<std::int64_t>(std::floor(seconds / av_q2d(stream_.time_base) + 1e-6));
        if (worth_seeking(target)) seek(target);
        if (has_pending_ && pending_pts_ <= target) take_pending();
        while (!has_pending_) {
            if (!decode_next()) break;
            const std::int64_t pts = frame_time(*scratch_);
            check_time(pts);
            if (pts <= target || !has_held_) {
                av_frame_unref(held_.get());
                av_frame_move_ref(held_.get(), scratch_.get());
                held_pts_ = pts;
                has_held_ = true;
                if (pts > target) break;  // the video starts after `seconds`: its first picture
            } else {
                av_frame_move_ref(pending_.get(), scratch_.get());
                pending_pts_ = pts;
                has_pending_ = true;
            }
        }
        if (!has_held_) fail(name_, "the file holds no complete picture (damaged or truncated)");
        return *held_;
    }

    bool seeked() const { return seeks_ > 0; }
    std::int64_t frames_decoded() const { return frames_decoded_; }

  private:
    // Whether jumping to the keyframe before `target` skips pictures the decoder would
    // otherwise decode: that keyframe lies after the last picture decoded.
    bool worth_seeking(std::int64_t target) const {
        if (!seekable_ || seek_failed_) return false;
        const std::int64_t position = has_pending_ ? pending_pts_
                                      : has_held_  ? held_pts_
                                                   : std::numeric_limits<std::int64_t>::min();
        if (position != std::numeric_limits<std::int64_t>::min() && target <= position)
            return false;
        if (avformat_index_get_entries_count(&stream_) > 0) {
            const int index = av_index_search_timestamp(&stream_, target, AVSEEK_FLAG_BACKWARD);
            if (index < 0) return false;
            const AVIndexEntry* entry = avformat_index_get_entry(&stream_, index);
            return entry != nullptr && position != std::numeric_limits<std::int64_t>::min() &&
                   entry->timestamp > position;
        }
        const double gap =
            static_cast<double>(target - (position == std::numeric_limits<std::int64_t>::min()
                                              ? start_
                                              : position)) *
            av_q2d(stream_.time_base);
        return gap > kSeekWithoutIndexSeconds;
    }

    void seek(std::int64_t target) {
        if (av_seek_frame(&format_, stream_index_, target, AVSEEK_FLAG_BACKWARD) < 0) {
            // Decoding on from here still reaches every picture.
            seek_failed_ = true;
            return;
        }
        avcodec_flush_buffers(context_.get());
        av_frame_unref(pending_.get());
        has_pending_ = false;
        flushed_ = false;
        ++seeks_;
        // The held picture stays as the answer should the seek land after the target.
    }

    void take_pending() {
        av_frame_unref(held_.get());
        av_frame_move_ref(held_.get(), pending_.get());
        held_pts_ = pending_pts_;
        has_held_ = true;
        has_pending_ = false;
    }

    // The next decoded picture into scratch_; false at the end of the stream.
    bool decode_next() {
        while (true) {
            int rc = avcodec_receive_frame(context_.get(), scratch_.get());
            if (rc == 0) {
                ++frames_decoded_;
                return true;
            }
            if (rc == AVERROR_EOF) return false;
            if (rc != AVERROR(EAGAIN)) fail_corrupt(rc);
            if (flushed_) return false;
            rc = av_read_frame(&format_, packet_.get());
            if (rc == AVERROR_EOF) {
                rc = avcodec_send_packet(context_.get(), nullptr);
                flushed_ = true;
            } else if (rc < 0) {
                fail_corrupt(rc);
            } else {
                if (packet_->stream_index == stream_index_)
                    rc = avcodec_send_packet(context_.get(), packet_.get());
                av_packet_unref(packet_.get());
            }
            if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) fail_corrupt(rc);
        }
    }

    // A picture's time in stream ticks; a picture without one follows the previous one.
    std::int64_t frame_time(const AVFrame& frame) {
        std::int64_t pts = frame.best_effort_timestamp;
        if (pts == AV_NOPTS_VALUE) pts = last_pts_ == AV_NOPTS_VALUE ? start_ : last_pts_ + 1;
        last_pts_ = pts;
        return pts;
    }

    void check_time(std::int64_t pts) const {
        const double seconds = static_cast<double>(pts - start_) * av_q2d(stream_.time_base);
        if (seconds > limits_.max_seconds) {
            fail(name_,
                 "the video goes on past the limit of " + describe_seconds(limits_.max_seconds));
        }
    }

    [[noreturn]] void fail_corrupt(int code) const {
        const double seconds =
            has_held_ ? static_cast<double>(held_pts_ - start_) * av_q2d(stream_.time_base) : 0;
        if (code == AVERROR(ERANGE) &&
            std::int64_t{context_->width} * context_->height > limits_.max_pixels) {
            fail(name_, "the picture is " + std::to_string(context_->width) + "x" +
                            std::to_string(context_->height) + " pixels, over the limit of " +
                            std::to_string(limits_.max_pixels) + " pixels");
        }
        fail(name_,
             "corrupt video data after " + describe_seconds(seconds) + ": " + ffmpeg_reason(code));
    }

    AVFormatContext& format_;
    AVStream& stream_;
    int stream_index_;
    std::string_view name_;
    const VideoDecodeLimits& limits_;
    std::int64_t max_pixels_;
    CodecContextPtr context_;
    PacketPtr packet_;
    FramePtr held_, pending_, scratch_;
    bool has_held_ = false, has_pending_ = false, flushed_ = false;
    std::int64_t held_pts_ = 0, pending_pts_ = 0, last_pts_ = AV_NOPTS_VALUE, start_ = 0;
    bool seekable_ = false, seek_failed_ = false;
    std::int64_t seeks_ = 0, frames_decoded_ = 0;
};

// The picture as shown: non-square pixels stretched, then scaled to fit max_side.
void shown_size(const AVFrame& frame, std::int32_t max_side, std::int32_t& width,
                std::int32_t& height) {
    double w = frame.width, h = frame.height;
    const AVRational sar = frame.sample_aspect_ratio;
    if (sar.num > 0 && sar.den > 0 && sar.num != sar.den) w = std::max(1.0, w * av_q2d(sar));
    const double scale = std::min(1.0, static_cast<double>(max_side) / std::max(w, h));
    width = std::max(1, static_cast<std::int32_t>(std::lround(w * scale)));
    height = std::max(1, static_cast<std::int32_t>(std::lround(h * scale)));
}

Video decode_pictures(AVIOContext& io, std::string_view name, const VideoSampling& sampling,
                      const VideoDecodeLimits& limits, bool& has_sound) {
    check_value("video sampling: max frame side", sampling.max_frame_side,
                video_limits::max_frame_side);
    FormatContextPtr format = open_video_container(io, name);
    const int stream_index = find_picture_stream(*format, name);
    has_sound = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0) >= 0;
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        if (static_cast<int>(i) != stream_index) format->streams[i]->discard = AVDISCARD_ALL;
    }
    const AVStream& stream = *format->streams[stream_index];
    const AVCodecParameters& params = *stream.codecpar;
    if (params.width > 0 && params.height > 0 && params.width > limits.max_pixels / params.height) {
        fail(name, "the picture is " + std::to_string(params.width) + "x" +
                       std::to_string(params.height) + " pixels, over the limit of " +
                       std::to_string(limits.max_pixels) + " pixels");
    }
    const double declared = declared_seconds(*format, stream);
    if (declared > limits.max_seconds) {
        fail(name, "the video lasts " + describe_seconds(declared) + ", over the limit of " +
                       describe_seconds(limits.max_seconds));
    }

    Video video;
    video.name = std::string(name);
    video.codec = avcodec_get_name(params.codec_id);
    video.duration_seconds = std::max(0.0, declared);
    const int orientation = display_orientation(stream);
    PictureSampler sampler(*format, stream_index, name, limits);
    for (const double seconds : video_sample_times(video.duration_seconds, sampling)) {
        const AVFrame& frame = sampler.at(seconds);
        std::int32_t width = 0, height = 0;
        shown_size(frame, sampling.max_frame_side, width, height);
        VideoFrame sample{seconds, frame_to_rgb(frame, name, width, height)};
        apply_exif_orientation(sample.image, orientation);
        sample.image.name = std::string(name);
        video.frames.push_back(std::move(sample));
        if (video.width == 0) {
            shown_size(frame, std::numeric_limits<std::int32_t>::max(), video.width, video.height);
            if (orientation == 6 || orientation == 8) std::swap(video.width, video.height);
        }
    }
    video.seeked = sampler.seeked();
    video.frames_decoded = sampler.frames_decoded();
    return video;
}

AudioDecodeLimits sound_limits(const VideoDecodeLimits& limits) {
    AudioDecodeLimits sound;
    sound.max_seconds = limits.max_seconds;
    sound.max_bytes = limits.max_bytes;
    return sound;
}

}  // namespace

Video decode_video_memory(std::span<const std::uint8_t> bytes, std::string_view name,
                          const VideoSampling& sampling, const VideoDecodeLimits& limits) {
    silence_ffmpeg_log();
    clear_ffmpeg_log();
    check_input_size(name, bytes.size(), limits.max_bytes);
    bool has_sound = false;
    Video video;
    {
        MemoryReader reader{bytes};
        IoContextPtr io = make_custom_io(&reader, &MemoryReader::read, &MemoryReader::seek);
        video = decode_pictures(*io, name, sampling, limits, has_sound);
    }
    if (sampling.audio && has_sound)
        video.audio = decode_audio_memory(bytes, name, sound_limits(limits));
    return video;
}

Video decode_video_file(const std::filesystem::path& path, const VideoSampling& sampling,
                        const VideoDecodeLimits& limits) {
    silence_ffmpeg_log();
    clear_ffmpeg_log();
    const std::string name = path.string();
    bool has_sound = false;
    Video video;
    {
        AudioFileReader reader(path, limits.max_bytes);
        IoContextPtr io = make_custom_io(&reader, &AudioFileReader::read, &AudioFileReader::seek);
        video = decode_pictures(*io, name, sampling, limits, has_sound);
    }
    if (sampling.audio && has_sound) video.audio = decode_audio_file(path, sound_limits(limits));
    return video;
}

}  // namespace prism::media
