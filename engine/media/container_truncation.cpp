#include "media/container_truncation.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace prism::media::detail {
namespace {

constexpr int max_chunks = 1024;

ContainerTruncation cut(std::string part, std::int64_t declared, std::int64_t present) {
    return {std::move(part), declared, std::max<std::int64_t>(present, 0), 0};
}

std::string quoted(const std::array<std::uint8_t, 4>& tag, const char* kind) {
    return "'" + std::string(tag.begin(), tag.end()) + "' " + kind;
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
            ContainerTruncation truncation = cut(quoted(tag, "chunk"), length, size - body);
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
        if (length < 8) return std::nullopt;  // 0: to the end; below 8: the demuxer will say
        if (length > size - offset) return cut(quoted(type, "box"), length, size - offset);
        offset += length;
    }
    return std::nullopt;
}

// An EBML variable-length number: the count of leading zero bits of the first byte gives the
// length. Returns false at the end of the data or for an invalid first byte; `unknown` is set
// when every value bit is 1 (a size left open by a live stream).
bool read_vint(AVIOContext& io, bool keep_marker, std::uint64_t& value, bool& unknown) {
    const int first = avio_r8(&io);
    if (avio_feof(&io) || first == 0) return false;
    int length = 1;
    while (!(first & (0x80 >> (length - 1)))) ++length;
    const std::uint64_t marker = 0x80u >> (length - 1);
    value = keep_marker ? static_cast<std::uint64_t>(first) : (first & (marker - 1));
    bool all_ones = value == (keep_marker ? first : marker - 1);
    for (int i = 1; i < length; ++i) {
        const int byte = avio_r8(&io);
        all_ones = all_ones && byte == 0xFF;
        value = (value << 8) | static_cast<std::uint64_t>(byte);
    }
    unknown = !keep_marker && all_ones;
    return !avio_feof(&io);
}

// Matroska/WebM: the EBML header element, then the Segment element holding everything else.
std::optional<ContainerTruncation> matroska_truncation(AVIOContext& io, std::int64_t size) {
    constexpr std::uint64_t ebml_id = 0x1A45DFA3, segment_id = 0x18538067;
    std::uint64_t id = 0, length = 0;
    bool unknown = false;
    if (!read_vint(io, true, id, unknown) || id != ebml_id) return std::nullopt;
    if (!read_vint(io, false, length, unknown) || unknown) return std::nullopt;
    if (avio_skip(&io, static_cast<std::int64_t>(length)) < 0) return std::nullopt;
    if (!read_vint(io, true, id, unknown) || id != segment_id) return std::nullopt;
    if (!read_vint(io, false, length, unknown) || unknown) return std::nullopt;
    const std::int64_t body = avio_tell(&io);
    if (body < 0 || length > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    const auto declared = static_cast<std::int64_t>(length);
    if (declared <= size - body) return std::nullopt;
    return cut("Segment element", declared, size - body);
}

std::optional<ContainerTruncation> scan(AVIOContext& io) {
    const std::int64_t size = avio_size(&io);
    std::array<std::uint8_t, 12> head{};
    if (size < 12 || avio_read(&io, head.data(), 12) != 12) return std::nullopt;
    if (std::memcmp(head.data(), "RIFF", 4) == 0 && std::memcmp(head.data() + 8, "WAVE", 4) == 0)
        return wav_truncation(io, size);
    if (std::memcmp(head.data() + 4, "ftyp", 4) == 0) return bmff_truncation(io, size);
    if (std::memcmp(head.data(), "\x1A\x45\xDF\xA3", 4) == 0) {
        if (avio_seek(&io, 0, SEEK_SET) < 0) return std::nullopt;
        return matroska_truncation(io, size);
    }
    return std::nullopt;
}

}  // namespace

std::optional<ContainerTruncation> find_container_truncation(AVIOContext& io) {
    std::optional<ContainerTruncation> truncation = scan(io);
    avio_seek(&io, 0, SEEK_SET);
    return truncation;
}

}  // namespace prism::media::detail
