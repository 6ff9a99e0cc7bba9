#include "media/audio_file_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <unistd.h>

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
}

#include "media/media_input.hpp"
#include "prism/media/image.hpp"

namespace prism::media::detail {
namespace {

RegularFile open_regular(const std::filesystem::path& path) {
    try {
        return RegularFile(path);
    } catch (const Error& e) {
        throw MediaError(e.what());
    }
}

}  // namespace

AudioFileReader::AudioFileReader(const std::filesystem::path& path, std::uint64_t max_bytes)
    : file_(open_regular(path)), size_(file_.size()), max_bytes_(max_bytes) {
    check_input_size(path.string(), size_, max_bytes_);
}

int AudioFileReader::read(void* opaque, std::uint8_t* buffer, int size) {
    auto* self = static_cast<AudioFileReader*>(opaque);
    if (self->position_ >= self->max_bytes_) return AVERROR(EFBIG);
    const std::uint64_t allowed = self->max_bytes_ - self->position_;
    const auto wanted = static_cast<std::size_t>(
        std::min<std::uint64_t>(allowed, static_cast<std::uint64_t>(std::max(size, 0))));
    ssize_t n = 0;
    do {
        n = ::read(self->file_.descriptor(), buffer, wanted);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return AVERROR(EIO);
    self->position_ += static_cast<std::uint64_t>(n);
    return n > 0 ? static_cast<int>(n) : AVERROR_EOF;
}

std::int64_t AudioFileReader::seek(void* opaque, std::int64_t offset, int whence) {
    auto* self = static_cast<AudioFileReader*>(opaque);
    if ((whence & ~AVSEEK_FORCE) == AVSEEK_SIZE) return static_cast<std::int64_t>(self->size_);
    int origin = SEEK_SET;
    switch (whence & ~AVSEEK_FORCE) {
        case SEEK_SET:
            origin = SEEK_SET;
            break;
        case SEEK_CUR:
            origin = SEEK_CUR;
            break;
        case SEEK_END:
            origin = SEEK_END;
            break;
        default:
            return AVERROR(EINVAL);
    }
    const off_t position = ::lseek(self->file_.descriptor(), static_cast<off_t>(offset), origin);
    if (position < 0) return AVERROR(errno);
    self->position_ = static_cast<std::uint64_t>(position);
    return position;
}

}  // namespace prism::media::detail
