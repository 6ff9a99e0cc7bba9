#pragma once

// A read-only cursor over the caller's bytes, for a custom AVIOContext: FFmpeg reads what the
// caller holds in memory without copying it and without any FFmpeg protocol (file, http, ...).

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
}

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <span>

namespace prism::media::detail {

struct MemoryReader {
    std::span<const std::uint8_t> bytes;
    std::size_t position = 0;

    static int read(void* opaque, std::uint8_t* buffer, int size) {
        auto* self = static_cast<MemoryReader*>(opaque);
        const std::size_t left = self->bytes.size() - self->position;
        const std::size_t n = std::min(left, static_cast<std::size_t>(std::max(size, 0)));
        if (n == 0) return AVERROR_EOF;
        std::memcpy(buffer, self->bytes.data() + self->position, n);
        self->position += n;
        return static_cast<int>(n);
    }

    static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
        auto* self = static_cast<MemoryReader*>(opaque);
        const auto size = static_cast<std::int64_t>(self->bytes.size());
        std::int64_t target = 0;
        switch (whence & ~AVSEEK_FORCE) {
            case AVSEEK_SIZE:
                return size;
            case SEEK_SET:
                target = offset;
                break;
            case SEEK_CUR:
                target = static_cast<std::int64_t>(self->position) + offset;
                break;
            case SEEK_END:
                target = size + offset;
                break;
            default:
                return AVERROR(EINVAL);
        }
        if (target < 0 || target > size) return AVERROR(EINVAL);
        self->position = static_cast<std::size_t>(target);
        return target;
    }
};

}  // namespace prism::media::detail
