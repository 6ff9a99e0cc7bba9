#include "prism_server/base64.hpp"

#include <array>

namespace prism::server {
namespace {

constexpr std::array<std::int8_t, 256> make_table() {
    std::array<std::int8_t, 256> t{};
    for (auto& v : t) v = -1;
    constexpr std::string_view alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::int8_t>(i);
    return t;
}
constexpr auto table = make_table();

std::string_view without_padding(std::string_view text) {
    if (text.size() % 4 == 0) {
        if (text.ends_with("==")) return text.substr(0, text.size() - 2);
        if (text.ends_with('=')) return text.substr(0, text.size() - 1);
    }
    return text;
}

}  // namespace

std::size_t base64_decoded_size(std::string_view text) {
    return without_padding(text).size() * 3 / 4;
}

std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text) {
    const std::string_view data = without_padding(text);
    if (data.size() % 4 == 1) return std::nullopt;  // 6 bits cannot end a byte
    std::vector<std::uint8_t> out;
    out.reserve(data.size() * 3 / 4);
    std::uint32_t bits = 0;
    int held = 0;
    for (const char c : data) {
        const std::int8_t v = table[static_cast<unsigned char>(c)];
        if (v < 0) return std::nullopt;
        bits = (bits << 6) | static_cast<std::uint32_t>(v);
        held += 6;
        if (held >= 8) {
            held -= 8;
            out.push_back(static_cast<std::uint8_t>((bits >> held) & 0xffu));
        }
    }
    return out;
}

}  // namespace prism::server
