#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace prism::server {

// Standard base64 (RFC 4648, '+' and '/', padding optional; whitespace is not allowed).
// nullopt for any other character or an impossible length.
std::optional<std::vector<std::uint8_t>> decode_base64(std::string_view text);

// The decoded size of `text`, without decoding (an upper bound for invalid input).
std::size_t base64_decoded_size(std::string_view text);

}  // namespace prism::server
