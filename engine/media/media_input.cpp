#include "media/media_input.hpp"

#include <cmath>
#include <cstdio>
#include <new>

#include "prism/media/image.hpp"

namespace prism::media::detail {

void fail(std::string_view name, const std::string& what) {
    throw MediaError(std::string(name) + ": " + what);
}

std::string ffmpeg_reason(int code) {
    std::string reason = ffmpeg_error_text(code);
    const std::string logged = last_ffmpeg_error();
    if (!logged.empty()) reason += " (" + logged + ")";
    return reason;
}

void check_input_size(std::string_view name, std::uint64_t size, std::uint64_t max_bytes) {
    if (size == 0) fail(name, "the file is empty");
    if (size > max_bytes) {
        fail(name, "the file is " + std::to_string(size) + " bytes, over the limit of " +
                       std::to_string(max_bytes) + " bytes");
    }
}

std::string describe_seconds(double seconds) {
    char text[64];
    const auto whole = static_cast<long long>(std::llround(seconds));
    if (seconds < 10) {
        std::snprintf(text, sizeof text, "%.2f s", seconds);
    } else if (seconds < 60) {
        std::snprintf(text, sizeof text, "%.1f s", seconds);
    } else if (whole < 3600) {
        std::snprintf(text, sizeof text, whole % 60 ? "%lld min %lld s" : "%lld min", whole / 60,
                      whole % 60);
    } else {
        const long long minutes = (whole % 3600) / 60;
        std::snprintf(text, sizeof text, minutes ? "%lld h %lld min" : "%lld h", whole / 3600,
                      minutes);
    }
    return text;
}

IoContextPtr make_custom_io(void* opaque, int (*read)(void*, std::uint8_t*, int),
                            std::int64_t (*seek)(void*, std::int64_t, int)) {
    constexpr int buffer_size = 1 << 16;
    auto* buffer = static_cast<std::uint8_t*>(av_malloc(buffer_size));
    if (buffer == nullptr) throw std::bad_alloc();
    IoContextPtr io(avio_alloc_context(buffer, buffer_size, 0, opaque, read, nullptr, seek));
    if (!io) {
        av_free(buffer);
        throw std::bad_alloc();
    }
    return io;
}

FormatContextPtr open_probed_container(AVIOContext& io, const AVInputFormat* input,
                                       const std::string& whitelist, std::string_view label,
                                       std::string_view name, bool header_cut_short_message) {
    AVFormatContext* raw_format = avformat_alloc_context();
    if (raw_format == nullptr) throw std::bad_alloc();
    raw_format->pb = &io;
    raw_format->flags |= AVFMT_FLAG_CUSTOM_IO;
    raw_format->format_whitelist = av_strdup(whitelist.c_str());
    // On failure avformat_open_input frees the context itself.
    int rc = avformat_open_input(&raw_format, nullptr, input, nullptr);
    if (rc == AVERROR_EOF && header_cut_short_message) {
        fail(name, "the file is truncated: the " + std::string(label) + " data ends early");
    }
    if (rc < 0) {
        fail(name,
             "the " + std::string(label) + " file is damaged or truncated: " + ffmpeg_reason(rc));
    }
    FormatContextPtr format(raw_format);
    rc = avformat_find_stream_info(format.get(), nullptr);
    if (rc < 0) {
        fail(name,
             "the " + std::string(label) + " file is damaged or truncated: " + ffmpeg_reason(rc));
    }
    return format;
}

}  // namespace prism::media::detail
