#include "data/image_dimensions.hpp"

#include <cstdint>

namespace prism::ui {
namespace {

std::uint32_t byte_at(const QByteArray& b, qsizetype i) {
    return static_cast<std::uint8_t>(b[i]);
}
std::uint32_t be16(const QByteArray& b, qsizetype i) {
    return byte_at(b, i) << 8 | byte_at(b, i + 1);
}
std::uint32_t le16(const QByteArray& b, qsizetype i) {
    return byte_at(b, i + 1) << 8 | byte_at(b, i);
}
std::uint32_t be32(const QByteArray& b, qsizetype i) {
    return be16(b, i) << 16 | be16(b, i + 2);
}
std::uint32_t le32(const QByteArray& b, qsizetype i) {
    return le16(b, i + 2) << 16 | le16(b, i);
}

ImageDimensions make(const char* format, std::int64_t w, std::int64_t h) {
    if (w <= 0 || h <= 0 || w > 1'000'000 || h > 1'000'000) return {format, 0, 0};
    return {QString::fromLatin1(format), static_cast<int>(w), static_cast<int>(h)};
}

ImageDimensions jpeg(const QByteArray& b) {
    // Walk the marker segments up to the first start-of-frame (SOF0..SOF15 except DHT, JPG, DAC).
    qsizetype i = 2;
    while (i + 4 <= b.size()) {
        if (byte_at(b, i) != 0xFF) return {QStringLiteral("jpg"), 0, 0};
        const std::uint32_t marker = byte_at(b, i + 1);
        if (marker == 0xFF) {  // fill byte
            ++i;
            continue;
        }
        if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) {
            i += 2;  // markers without a length
            continue;
        }
        const std::uint32_t length = be16(b, i + 2);
        const bool sof =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof && i + 9 <= b.size()) return make("jpg", be16(b, i + 7), be16(b, i + 5));
        if (length < 2) break;
        i += 2 + length;
    }
    return {QStringLiteral("jpg"), 0, 0};
}

ImageDimensions webp(const QByteArray& b) {
    if (b.size() < 30) return {QStringLiteral("webp"), 0, 0};
    const QByteArray chunk = b.mid(12, 4);
    if (chunk == "VP8X")
        return make("webp", 1 + (le32(b, 24) & 0xFFFFFF), 1 + (le32(b, 27) & 0xFFFFFF));
    if (chunk == "VP8L") {
        const std::uint32_t bits = le32(b, 21);
        return make("webp", 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF));
    }
    if (chunk == "VP8 ") return make("webp", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF);
    return {QStringLiteral("webp"), 0, 0};
}

}  // namespace

ImageDimensions read_image_dimensions(const QByteArray& b) {
    if (b.startsWith("\x89PNG\r\n\x1a\n") && b.size() >= 24)
        return make("png", be32(b, 16), be32(b, 20));
    if (b.size() >= 4 && byte_at(b, 0) == 0xFF && byte_at(b, 1) == 0xD8) return jpeg(b);
    if ((b.startsWith("GIF87a") || b.startsWith("GIF89a")) && b.size() >= 10)
        return make("gif", le16(b, 6), le16(b, 8));
    if (b.startsWith("BM") && b.size() >= 26) {
        // Height is negative for top-down bitmaps.
        const auto h = static_cast<std::int32_t>(le32(b, 22));
        return make("bmp", static_cast<std::int32_t>(le32(b, 18)),
                    h < 0 ? -static_cast<std::int64_t>(h) : h);
    }
    if (b.startsWith("RIFF") && b.mid(8, 4) == "WEBP") return webp(b);
    return {};
}

}  // namespace prism::ui
