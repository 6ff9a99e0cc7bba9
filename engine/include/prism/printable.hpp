#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace prism {

// How many characters of a name read from a file a message shows.
inline constexpr std::size_t kPrintedNameChars = 80;

// A name or string read from a file (key, tensor, architecture, projector), fit for a one-line
// message: control bytes and bytes that are not UTF-8 become \xNN (a NUL no longer cuts the
// message short), a backslash becomes \\, and text past `max_chars` characters is replaced by
// "... (N bytes)".
std::string printable(std::string_view text, std::size_t max_chars = kPrintedNameChars);

}  // namespace prism
