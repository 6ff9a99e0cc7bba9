#include "media/audio_file_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include <libavformat/avio.h>
#include <libavutil/error.h>
}

#include "media/media_input.hpp"

namespace prism::media::detail {
AudioFileReader::AudioFileReader(const std::filesystem::path& path, std::uint64_t max_bytes)
    : max_bytes_(max_bytes) {
    const std::string name = path.string();
    // Non-blocking, so that opening a FIFO does not wait for a writer; the type is checked on
    // the descriptor actually opened.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fail(name, std::string("cannot open the file: ") + std::strerror(errno));
    struct stat info {};
    if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
        ::close(fd);
        fail(name, "not a regular file");
    }
    file_.reset(::fdopen(fd, "rb"));
    if (!file_) {
        ::close(fd);
        fail(name, std::string("cannot open the file: ") + std::strerror(errno));
    }
    size_ = static_cast<std::uint64_t>(info.st_size);
    check_input_size(name, size_, max_bytes_);
}

int AudioFileReader::read(void* opaque, std::uint8_t* buffer, int size) {
    auto* self = static_cast<AudioFileReader*>(opaque);
    if (self->position_ >= self->max_bytes_) return AVERROR(EFBIG);
    const std::uint64_t allowed = self->max_bytes_ - self->position_;
    const auto wanted = static_cast<std::size_t>(
        std::min<std::uint64_t>(allowed, static_cast<std::uint64_t>(std::max(size, 0))));
    const std::size_t n = std::fread(buffer, 1, wanted, self->file_.get());
    self->position_ += n;
    if (n > 0) return static_cast<int>(n);
    return std::ferror(self->file_.get()) ? AVERROR(EIO) : AVERROR_EOF;
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
    if (fseeko(self->file_.get(), static_cast<off_t>(offset), origin) != 0) return AVERROR(errno);
    const off_t position = ftello(self->file_.get());
    if (position < 0) return AVERROR(errno);
    self->position_ = static_cast<std::uint64_t>(position);
    return position;
}

}  // namespace prism::media::detail
