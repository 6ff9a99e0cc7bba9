#include "png_writer.hpp"

#include <array>

namespace prism::test {
namespace {

std::vector<std::uint8_t> png_signature() {
    return {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
}

std::vector<std::uint8_t> ihdr(std::uint32_t width, std::uint32_t height, std::uint8_t color_type) {
    std::vector<std::uint8_t> data;
    put_u32(data, width);
    put_u32(data, height);
    data.insert(data.end(), {8, color_type, 0, 0, 0});  // 8-bit, deflate, no filter, no interlace
    return data;
}

// Deflate's bit order: values least significant bit first; Huffman codes most significant
// bit first.
class BitWriter {
  public:
    void bits(std::uint32_t value, int count) {
        for (int i = 0; i < count; ++i) push((value >> i) & 1u);
    }
    void code(std::uint32_t code, int length) {
        for (int i = length - 1; i >= 0; --i) push((code >> i) & 1u);
    }
    std::vector<std::uint8_t> finish() {
        if (used_ > 0) out_.push_back(current_);
        return std::move(out_);
    }

  private:
    void push(std::uint32_t bit) {
        current_ = std::uint8_t(current_ | (bit << used_));
        if (++used_ == 8) {
            out_.push_back(current_);
            current_ = 0;
            used_ = 0;
        }
    }
    std::vector<std::uint8_t> out_;
    std::uint8_t current_ = 0;
    int used_ = 0;
};

// A zlib stream of `count` zero bytes: one fixed-Huffman block holding a literal 0, then
// copies of 258 bytes at distance 1, then the remaining literals.
std::vector<std::uint8_t> zlib_zeros(std::uint64_t count) {
    BitWriter w;
    w.bits(1, 1);  // final block
    w.bits(1, 2);  // fixed Huffman codes
    const auto literal_zero = [&] { w.code(0x30, 8); };
    std::uint64_t left = count;
    if (left > 0) {
        literal_zero();
        --left;
    }
    for (; left >= 258; left -= 258) {
        w.code(0xC5, 8);  // length symbol 285: 258 bytes
        w.code(0, 5);     // distance symbol 0: 1 byte back
    }
    for (; left > 0; --left) literal_zero();
    w.code(0, 7);  // end of block
    std::vector<std::uint8_t> out = {0x78, 0x01};
    const auto deflated = w.finish();
    out.insert(out.end(), deflated.begin(), deflated.end());
    // Adler-32 of zeros: a stays 1, b adds 1 per byte.
    put_u32(out, std::uint32_t((count % 65521) << 16 | 1u));
    return out;
}

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> bytes) {
    std::uint32_t crc = 0xFFFFFFFFu;
    for (std::uint8_t b : bytes) {
        crc ^= b;
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(v >> shift));
}

void put_chunk(std::vector<std::uint8_t>& out, const char type[4],
               std::span<const std::uint8_t> data) {
    put_u32(out, std::uint32_t(data.size()));
    std::vector<std::uint8_t> typed(type, type + 4);
    typed.insert(typed.end(), data.begin(), data.end());
    out.insert(out.end(), typed.begin(), typed.end());
    put_u32(out, crc32(typed));
}

std::vector<std::uint8_t> png_claiming(std::uint32_t width, std::uint32_t height) {
    std::vector<std::uint8_t> png = png_signature();
    put_chunk(png, "IHDR", ihdr(width, height, 2));
    const std::array<std::uint8_t, 11> idat = {0x78, 0x9C, 0x63, 0x60, 0x00, 0x00,
                                               0x00, 0x04, 0x00, 0x01, 0x00};
    put_chunk(png, "IDAT", idat);
    put_chunk(png, "IEND", {});
    return png;
}

std::vector<std::uint8_t> black_gray_png(std::uint32_t width, std::uint32_t height) {
    std::vector<std::uint8_t> png = png_signature();
    put_chunk(png, "IHDR", ihdr(width, height, 0));
    // Each row: filter type 0, then `width` zero bytes.
    put_chunk(png, "IDAT", zlib_zeros(std::uint64_t(height) * (std::uint64_t(width) + 1)));
    put_chunk(png, "IEND", {});
    return png;
}

}  // namespace prism::test
