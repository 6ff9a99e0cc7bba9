// Image decoding through FFmpeg: content is probed from the bytes (never the file name), the
// first frame of the first video stream is decoded, converted to RGB8, alpha composited on
// white, and turned upright by its EXIF orientation.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" {
#include <libavutil/dict.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

#include "media/ffmpeg_handles.hpp"
#include "media/frame_to_rgb.hpp"
#include "media/media_input.hpp"
#include "media/memory_reader.hpp"
#include "media/orientation.hpp"
#include "prism/media/image.hpp"
#include "prism/regular_file.hpp"

namespace prism::media {
namespace {

using namespace detail;

bool is_supported_codec(AVCodecID id) {
    switch (id) {
        case AV_CODEC_ID_MJPEG:
        case AV_CODEC_ID_PNG:
        case AV_CODEC_ID_APNG:
        case AV_CODEC_ID_WEBP:
        case AV_CODEC_ID_BMP:
        case AV_CODEC_ID_GIF:
        case AV_CODEC_ID_TIFF:
            return true;
        default:
            return false;
    }
}

void check_pixel_cap(std::string_view name, std::int64_t width, std::int64_t height,
                     const DecodeLimits& limits) {
    // Divided, not multiplied: the sides come from the file and their product can overflow.
    if (width > 0 && height > 0 && width > limits.max_pixels / height) {
        fail(name, "image is " + std::to_string(width) + "x" + std::to_string(height) +
                       " pixels, over the limit of " + std::to_string(limits.max_pixels) +
                       " pixels");
    }
}

// FFmpeg checks AVCodecContext::max_pixels on the true size when a decoder parses the header,
// but again before it allocates a frame on the width rounded up to its stride alignment (up to
// 64 columns), which refused a 9999x9999 image under a 1e8 cap as "10048x9999". So the cap is
// applied to the true size by get_buffer2, before any frame buffer exists, and FFmpeg's own
// check gets room for the rounding: 64 columns times the 2^21 rows it accepts at most.
constexpr std::int64_t kAlignmentSlackPixels = std::int64_t{64} << 21;

int capped_get_buffer(AVCodecContext* context, AVFrame* frame, int flags) {
    const auto& limits = *static_cast<const DecodeLimits*>(context->opaque);
    if (std::int64_t{context->width} * context->height > limits.max_pixels) return AVERROR(ERANGE);
    return avcodec_default_get_buffer2(context, frame, flags);
}

// A refused picture becomes the pixel-cap message with its true size: the decoder's when it
// has one, else the size in FFmpeg's "Picture size WxH ..." log line (written by the header
// check, or by FFmpeg's own INT_MAX/8-byte limit).
[[noreturn]] void fail_decode(std::string_view name, int code, const AVCodecContext& context,
                              const DecodeLimits& limits) {
    check_pixel_cap(name, context.width, context.height, limits);
    unsigned width = 0, height = 0;
    const std::string logged = ffmpeg_error_log();
    const auto at = logged.find("Picture size ");
    if (at != std::string::npos &&
        std::sscanf(logged.c_str() + at, "Picture size %ux%u", &width, &height) == 2) {
        check_pixel_cap(name, width, height, limits);
    }
    fail(name, "cannot decode the image: " + ffmpeg_reason(code));
}

FramePtr decode_first_frame(AVFormatContext& format, int stream_index, std::string_view name,
                            const DecodeLimits& limits) {
    const AVCodecParameters& params = *format.streams[stream_index]->codecpar;
    const AVCodec* codec = avcodec_find_decoder(params.codec_id);
    if (codec == nullptr) fail(name, "this FFmpeg build has no decoder for the image format");
    CodecContextPtr context(avcodec_alloc_context3(codec));
    if (!context) throw std::bad_alloc();
    int rc = avcodec_parameters_to_context(context.get(), &params);
    if (rc < 0) fail(name, "cannot set up the decoder: " + ffmpeg_reason(rc));
    context->thread_count = 1;
    context->opaque = const_cast<DecodeLimits*>(&limits);
    context->get_buffer2 = capped_get_buffer;
    context->max_pixels = limits.max_pixels > INT64_MAX - kAlignmentSlackPixels
                              ? INT64_MAX
                              : limits.max_pixels + kAlignmentSlackPixels;
    rc = avcodec_open2(context.get(), codec, nullptr);
    if (rc < 0) fail(name, "cannot open the decoder: " + ffmpeg_reason(rc));

    PacketPtr packet(av_packet_alloc());
    FramePtr frame(av_frame_alloc());
    if (!packet || !frame) throw std::bad_alloc();
    bool flushed = false;
    while (true) {
        rc = avcodec_receive_frame(context.get(), frame.get());
        if (rc == 0) return frame;
        if (rc == AVERROR_EOF) break;
        if (rc != AVERROR(EAGAIN)) fail_decode(name, rc, *context, limits);
        if (flushed) break;
        rc = av_read_frame(&format, packet.get());
        if (rc == AVERROR_EOF) {
            rc = avcodec_send_packet(context.get(), nullptr);
            flushed = true;
        } else if (rc < 0) {
            fail(name, "cannot read the image data: " + ffmpeg_reason(rc));
        } else {
            if (packet->stream_index == stream_index)
                rc = avcodec_send_packet(context.get(), packet.get());
            av_packet_unref(packet.get());
        }
        if (rc < 0 && rc != AVERROR(EAGAIN)) fail_decode(name, rc, *context, limits);
    }
    fail(name, "the file holds no complete image (truncated?)");
}

int frame_orientation(const AVFrame& frame) {
    // FFmpeg's EXIF reader (JPEG, WebP) exports the tags as frame metadata.
    const AVDictionaryEntry* entry = av_dict_get(frame.metadata, "Orientation", nullptr, 0);
    if (entry == nullptr) return 0;
    const int value = std::atoi(entry->value);
    return value >= 1 && value <= 8 ? value : 0;
}

}  // namespace

Image decode_image_memory(std::span<const std::uint8_t> bytes, std::string_view name,
                          const DecodeLimits& limits) {
    silence_ffmpeg_log();
    clear_ffmpeg_log();
    check_input_size(name, bytes.size(), limits.max_bytes);

    MemoryReader reader{bytes};
    IoContextPtr io = make_custom_io(&reader, &MemoryReader::read, &MemoryReader::seek);

    AVFormatContext* raw_format = avformat_alloc_context();
    if (raw_format == nullptr) throw std::bad_alloc();
    raw_format->pb = io.get();
    raw_format->flags |= AVFMT_FLAG_CUSTOM_IO;
    // On failure avformat_open_input frees the context itself.
    int rc = avformat_open_input(&raw_format, nullptr, nullptr, nullptr);
    if (rc < 0)
        fail(name,
             "not a recognised image (JPEG, PNG, WebP, BMP, GIF or TIFF): " + ffmpeg_reason(rc));
    FormatContextPtr format(raw_format);

    const int stream_index =
        av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
    if (stream_index < 0 ||
        !is_supported_codec(format->streams[stream_index]->codecpar->codec_id)) {
        fail(name, "not a supported image format (JPEG, PNG, WebP, BMP, GIF or TIFF)");
    }
    const AVCodecParameters& params = *format->streams[stream_index]->codecpar;
    check_pixel_cap(name, params.width, params.height, limits);

    FramePtr frame = decode_first_frame(*format, stream_index, name, limits);
    if (frame->width <= 0 || frame->height <= 0) fail(name, "the image has no pixels");
    check_pixel_cap(name, frame->width, frame->height, limits);

    Image image = frame_to_rgb(*frame, name, frame->width, frame->height);
    int orientation = frame_orientation(*frame);
    if (orientation == 0) orientation = container_exif_orientation(bytes);
    // Orientations 5..8 swap the sides; the pixel count (checked above) is unchanged.
    apply_exif_orientation(image, orientation);
    image.name = std::string(name);
    return image;
}

Image decode_image_file(const std::filesystem::path& path, const DecodeLimits& limits) {
    std::vector<std::uint8_t> bytes;
    try {
        bytes = read_regular_file(path, limits.max_bytes);
    } catch (const Error& e) {
        throw MediaError(e.what());
    }
    return decode_image_memory(bytes, path.string(), limits);
}

}  // namespace prism::media
