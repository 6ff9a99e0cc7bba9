#include <string>

#include "media/ffmpeg_handles.hpp"
#include "media/media_input.hpp"
#include "prism/media/video.hpp"

namespace prism::media {

Image scale_picture(const Image& image, std::int32_t width, std::int32_t height) {
    if (width <= 0 || height <= 0 || image.width <= 0 || image.height <= 0 ||
        image.rgb.size() != static_cast<std::size_t>(image.width) * image.height * 3) {
        detail::fail(image.name, "cannot scale a " + std::to_string(image.width) + "x" +
                                     std::to_string(image.height) + " picture to " +
                                     std::to_string(width) + "x" + std::to_string(height));
    }
    detail::SwsPtr sws(sws_getContext(image.width, image.height, AV_PIX_FMT_RGB24, width, height,
                                      AV_PIX_FMT_RGB24, SWS_AREA | SWS_ACCURATE_RND, nullptr,
                                      nullptr, nullptr));
    if (!sws) detail::fail(image.name, "cannot set up picture scaling");
    Image out;
    out.width = width;
    out.height = height;
    out.name = image.name;
    out.rgb.resize(static_cast<std::size_t>(width) * height * 3);
    const std::uint8_t* in_planes[4] = {image.rgb.data(), nullptr, nullptr, nullptr};
    const int in_strides[4] = {image.width * 3, 0, 0, 0};
    std::uint8_t* out_planes[4] = {out.rgb.data(), nullptr, nullptr, nullptr};
    const int out_strides[4] = {width * 3, 0, 0, 0};
    if (sws_scale(sws.get(), in_planes, in_strides, 0, image.height, out_planes, out_strides) !=
        height)
        detail::fail(image.name, "picture scaling failed");
    return out;
}

}  // namespace prism::media
