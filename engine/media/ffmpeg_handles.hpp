#pragma once

// Owning handles for the FFmpeg objects the decoder uses, each freed by FFmpeg's own function.

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/frame.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <memory>
#include <string>

namespace prism::media::detail {

struct FormatContextFree {
    void operator()(AVFormatContext* p) const { avformat_close_input(&p); }
};
struct CodecContextFree {
    void operator()(AVCodecContext* p) const { avcodec_free_context(&p); }
};
struct FrameFree {
    void operator()(AVFrame* p) const { av_frame_free(&p); }
};
struct PacketFree {
    void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct SwsFree {
    void operator()(SwsContext* p) const { sws_freeContext(p); }
};
struct SwrFree {
    void operator()(SwrContext* p) const { swr_free(&p); }
};
// A custom AVIOContext owns a buffer that FFmpeg may have reallocated; free both.
struct IoContextFree {
    void operator()(AVIOContext* p) const {
        av_freep(&p->buffer);
        avio_context_free(&p);
    }
};

using FormatContextPtr = std::unique_ptr<AVFormatContext, FormatContextFree>;
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextFree>;
using FramePtr = std::unique_ptr<AVFrame, FrameFree>;
using PacketPtr = std::unique_ptr<AVPacket, PacketFree>;
using SwsPtr = std::unique_ptr<SwsContext, SwsFree>;
using SwrPtr = std::unique_ptr<SwrContext, SwrFree>;
using IoContextPtr = std::unique_ptr<AVIOContext, IoContextFree>;

// Routes FFmpeg's log to a per-thread buffer instead of stderr (idempotent, process-wide).
void silence_ffmpeg_log();
// The last error-level line FFmpeg logged on this thread since clear_ffmpeg_log().
std::string last_ffmpeg_error();
// Every error-level line since clear_ffmpeg_log(), one per line.
std::string ffmpeg_error_log();
void clear_ffmpeg_log();

// av_strerror as a std::string.
std::string ffmpeg_error_text(int code);

}  // namespace prism::media::detail
