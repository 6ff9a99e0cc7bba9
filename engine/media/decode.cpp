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

bool has_alpha(AVPixelFormat format) {
    const AVPixFmtDescriptor* desc = av_pix_fmt_desc_get(format);
    return desc != nullptr && (desc->flags & (AV_PIX_FMT_FLAG_ALPHA | AV_PIX_FMT_FLAG_PAL)) != 0;
}

// The deprecated full-range "yuvj" formats name a range, not a layout; swscale wants the
// plain layout plus the range flag.
AVPixelFormat without_jpeg_range(AVPixelFormat format, bool& full_range) {
    switch (format) {
        case AV_PIX_FMT_YUVJ420P:
            full_range = true;
            return AV_PIX_FMT_YUV420P;
        case AV_PIX_FMT_YUVJ422P:
            full_range = true;
            return AV_PIX_FMT_YUV422P;
        case AV_PIX_FMT_YUVJ444P:
            full_range = true;
            return AV_PIX_FMT_YUV444P;
        case AV_PIX_FMT_YUVJ440P:
            full_range = true;
            return AV_PIX_FMT_YUV440P;
        case AV_PIX_FMT_YUVJ411P:
            full_range = true;
            return AV_PIX_FMT_YUV411P;
        default:
            return format;
    }
}

// Converts a decoded frame to packed RGB8 (alpha composited on white).
Image to_rgb(const AVFrame& frame, std::string_view name) {
    Image image;
    image.width = frame.width;
    image.height = frame.height;
    const auto w = static_cast<std::size_t>(frame.width),
               h = static_cast<std::size_t>(frame.height);
    image.rgb.resize(w * h * 3);

    const auto source_format = static_cast<AVPixelFormat>(frame.format);
    if (source_format == AV_PIX_FMT_GRAY8) {
        // swscale treats gray as limited-range luma; image gray is full range.
        for (std::size_t y = 0; y < h; ++y) {
            const std::uint8_t* row =
                frame.data[0] + y * static_cast<std::size_t>(frame.linesize[0]);
            for (std::size_t x = 0; x < w; ++x) {
                std::fill_n(image.rgb.data() + (y * w + x) * 3, 3, row[x]);
            }
        }
        return image;
    }

    const bool alpha = has_alpha(source_format);
    bool full_range = frame.color_range == AVCOL_RANGE_JPEG;
    const AVPixelFormat input_format = without_jpeg_range(source_format, full_range);
    const AVPixelFormat output_format = alpha ? AV_PIX_FMT_RGBA : AV_PIX_FMT_RGB24;
    // Accurate rounding and full chroma interpolation: the closest swscale gets to libjpeg's
    // and libwebp's own YUV -> RGB conversion.
    SwsPtr sws(sws_getContext(
        frame.width, frame.height, input_format, frame.width, frame.height, output_format,
        SWS_BILINEAR | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP, nullptr, nullptr,
        nullptr));
    if (!sws)
        fail(name,
             std::string("cannot convert pixel format ") +
                 (av_get_pix_fmt_name(source_format) ? av_get_pix_fmt_name(source_format) : "?"));
    const int* coefficients = sws_getCoefficients(SWS_CS_ITU601);
    sws_setColorspaceDetails(sws.get(), coefficients, full_range ? 1 : 0, coefficients, 1, 0,
                             1 << 16, 1 << 16);

    const std::size_t channels = alpha ? 4 : 3;
    std::vector<std::uint8_t> packed(alpha ? w * h * 4 : 0);
    std::uint8_t* out_planes[4] = {alpha ? packed.data() : image.rgb.data(), nullptr, nullptr,
                                   nullptr};
    const int out_strides[4] = {static_cast<int>(w * channels), 0, 0, 0};
    const int rows =
        sws_scale(sws.get(), frame.data, frame.linesize, 0, frame.height, out_planes, out_strides);
    if (rows != frame.height) fail(name, "pixel format conversion failed");
    if (alpha) {
        for (std::size_t i = 0; i < w * h; ++i) {
            const unsigned a = packed[i * 4 + 3];
            for (std::size_t c = 0; c < 3; ++c) {
                // Over white, rounded: c*a/255 + 255*(255-a)/255.
                image.rgb[i * 3 + c] = static_cast<std::uint8_t>(
                    (packed[i * 4 + c] * a + 255 * (255 - a) + 127) / 255);
            }
        }
    }
    return image;
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

    Image image = to_rgb(*frame, name);
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
