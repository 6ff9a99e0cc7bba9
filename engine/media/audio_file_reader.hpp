#pragma once

// Reads an audio file for FFmpeg through a custom AVIOContext, so that a long recording is
// streamed rather than loaded whole, no FFmpeg protocol ever sees the path (a name such as
// "concat:a|b" or "http://..." is just a file name), and only regular files are opened.

#include <cstdint>
#include <filesystem>

#include "prism/regular_file.hpp"

namespace prism::media::detail {

class AudioFileReader {
  public:
    // Throws MediaError naming the file when it is missing, not a regular file (a directory,
    // a device, a pipe), empty, over max_bytes or unreadable.
    AudioFileReader(const std::filesystem::path& path, std::uint64_t max_bytes);

    std::uint64_t size() const { return size_; }

    // AVIOContext callbacks; `opaque` is the reader. Reading past max_bytes (a file that grew
    // after it was opened) is an error, not more data.
    static int read(void* opaque, std::uint8_t* buffer, int size);
    static std::int64_t seek(void* opaque, std::int64_t offset, int whence);

  private:
    RegularFile file_;
    std::uint64_t size_ = 0;
    std::uint64_t max_bytes_ = 0;
    std::uint64_t position_ = 0;
};

}  // namespace prism::media::detail
