#pragma once

// The numeric flags of prism-cli and prism-bench: one rule per flag, whatever the command, so
// that `-n 0` or `--top-p 2` means the same (or is refused the same way) everywhere. The
// ranges of engine settings are the engine's own (prism/value_range.hpp), quoted here.

#include <cstdint>
#include <string>
#include <string_view>

namespace prism::app {

// The value of a numeric flag (or environment variable) named `flag` as the user typed it
// (any of the names of its rule). Throws prism::Error with one line naming the flag and the
// value: "--top-k: '2.5' is not an integer", "--top-p: '2' is out of range (from 0 to 1)",
// "--temp: 'nan' is not a finite number". A flag without a rule is a programming error
// (std::logic_error).
std::int64_t integer_flag(std::string_view flag, std::string_view value);
double real_flag(std::string_view flag, std::string_view value);
std::uint64_t unsigned_flag(std::string_view flag, std::string_view value);

// The help text's words for the range of `flag`, e.g. "from 0 to 1".
std::string flag_range(std::string_view flag);

}  // namespace prism::app
