#include "media/container_truncation.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace prism::media::detail {
namespace {

constexpr int max_chunks = 1024;

ContainerTruncation cut(const std::uint8_t* tag, std::int64_t declared, std::int64_t present) {
    ContainerTruncation truncation;
    std::memcpy(truncation.box, tag, 4);
    truncation.declared_bytes = declared;
    truncation.present_bytes = std::max<std::int64_t>(present, 0);
    return truncation;
}

// RIFF chunks: tag, little-endian 32-bit size, body padded to an even length.
std::optional<ContainerTruncation> wav_truncation(AVIOContext& io, std::int64_t size) {
    std::int64_t bytes_per_second = 0;
    for (int i = 0; i < max_chunks; ++i) {
        std::array<std::uint8_t, 4> tag{};
        if (avio_read(&io, tag.data(), 4) != 4) return std::nullopt;
        const std::uint32_t length = avio_rl32(&io);
        const std::int64_t body = avio_tell(&io);
        if (avio_feof(&io) || body < 0) return std::nullopt;
        if (std::memcmp(tag.data(), "fmt ", 4) == 0 && length >= 12) {
            avio_skip(&io, 8);  // format tag, channels, sample rate
            bytes_per_second = avio_rl32(&io);
        } else if (std::memcmp(tag.data(), "data", 4) == 0) {
            if (length == 0 || length == 0xFFFFFFFFu || body + length <= size) return std::nullopt;
            ContainerTruncation truncation = cut(tag.data(), length, size - body);
            truncation.part = "chunk";
            truncation.bytes_per_second = bytes_per_second;
            return truncation;
        }
        if (avio_seek(&io, body + length + (length & 1), SEEK_SET) < 0) return std::nullopt;
    }
    return std::nullopt;
}

// ISO BMFF top-level boxes: big-endian 32-bit size (1: a 64-bit size follows; 0: to the end of
// the file) and type.
std::optional<ContainerTruncation> bmff_truncation(AVIOContext& io, std::int64_t size) {
    std::int64_t offset = 0;
    for (int i = 0; i < max_chunks && offset + 8 <= size; ++i) {
        if (avio_seek(&io, offset, SEEK_SET) < 0) return std::nullopt;
        std::int64_t length = avio_rb32(&io);
        std::array<std::uint8_t, 4> type{};
        if (avio_read(&io, type.data(), 4) != 4) return std::nullopt;
        if (length == 1) length = static_cast<std::int64_t>(avio_rb64(&io) & INT64_MAX);
        if (length == 0) return std::nullopt;
        if (length < 8) return std::nullopt;  // malformed; the demuxer will say so
        if (length > size - offset) return cut(type.data(), length, size - offset);
        offset += length;
    }
    return std::nullopt;
}

std::optional<ContainerTruncation> scan(AVIOContext& io) {
    const std::int64_t size = avio_size(&io);
    std::array<std::uint8_t, 12> head{};
    if (size < 12 || avio_read(&io, head.data(), 12) != 12) return std::nullopt;
    if (std::memcmp(head.data(), "RIFF", 4) == 0 && std::memcmp(head.data() + 8, "WAVE", 4) == 0)
        return wav_truncation(io, size);
    if (std::memcmp(head.data() + 4, "ftyp", 4) == 0) return bmff_truncation(io, size);
    return std::nullopt;
}

}  // namespace

std::optional<ContainerTruncation> find_container_truncation(AVIOContext& io) {
    std::optional<ContainerTruncation> truncation = scan(io);
    avio_seek(&io, 0, SEEK_SET);
    return truncation;
}

}  // namespace prism::media::detail
