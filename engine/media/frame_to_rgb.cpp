// The one path from a decoded FFmpeg frame to an RGB8 Image (images and video frames).

#include "media/frame_to_rgb.hpp"

#include <algorithm>
#include <vector>

extern "C" {
#include <libavutil/pixdesc.h>
}

#include "media/ffmpeg_handles.hpp"
#include "media/media_input.hpp"

namespace prism::media::detail {
namespace {

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

int yuv_matrix(AVColorSpace space) {
    switch (space) {
        case AVCOL_SPC_BT709:
            return SWS_CS_ITU709;
        case AVCOL_SPC_BT2020_NCL:
        case AVCOL_SPC_BT2020_CL:
            return SWS_CS_BT2020;
        case AVCOL_SPC_SMPTE240M:
            return SWS_CS_SMPTE240M;
        case AVCOL_SPC_FCC:
            return SWS_CS_FCC;
        default:
            return SWS_CS_ITU601;
    }
}

}  // namespace

Image frame_to_rgb(const AVFrame& frame, std::string_view name, std::int32_t width,
                   std::int32_t height) {
    Image image;
    image.width = width;
    image.height = height;
    const auto w = static_cast<std::size_t>(width), h = static_cast<std::size_t>(height);
    image.rgb.resize(w * h * 3);
    const bool same_size = width == frame.width && height == frame.height;

    const auto source_format = static_cast<AVPixelFormat>(frame.format);
    if (source_format == AV_PIX_FMT_GRAY8 && same_size) {
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
    const int scaler = same_size ? SWS_BILINEAR : SWS_AREA;
    SwsPtr sws(sws_getContext(frame.width, frame.height, input_format, width, height, output_format,
                              scaler | SWS_ACCURATE_RND | SWS_FULL_CHR_H_INT | SWS_FULL_CHR_H_INP,
                              nullptr, nullptr, nullptr));
    if (!sws)
        fail(name,
             std::string("cannot convert pixel format ") +
                 (av_get_pix_fmt_name(source_format) ? av_get_pix_fmt_name(source_format) : "?"));
    // Video states its matrix (HD is BT.709); images and unlabelled video use BT.601, as
    // JPEG and WebP define.
    const int* coefficients = sws_getCoefficients(yuv_matrix(frame.colorspace));
    sws_setColorspaceDetails(sws.get(), coefficients, full_range ? 1 : 0, coefficients, 1, 0,
                             1 << 16, 1 << 16);

    const std::size_t channels = alpha ? 4 : 3;
    std::vector<std::uint8_t> packed(alpha ? w * h * 4 : 0);
    std::uint8_t* out_planes[4] = {alpha ? packed.data() : image.rgb.data(), nullptr, nullptr,
                                   nullptr};
    const int out_strides[4] = {static_cast<int>(w * channels), 0, 0, 0};
    const int rows =
        sws_scale(sws.get(), frame.data, frame.linesize, 0, frame.height, out_planes, out_strides);
    if (rows != height) fail(name, "pixel format conversion failed");
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

}  // namespace prism::media::detail
