#pragma once

// The valid values of a number the engine takes (a sampler setting, a context size). Each
// range is declared once, next to the setting it bounds, so that the engine's own checks and
// the programs' flag checks agree and quote the same words.

#include <limits>
#include <string>
#include <string_view>

namespace prism {

struct ValueRange {
    double min = -std::numeric_limits<double>::infinity();
    double max = std::numeric_limits<double>::infinity();
    bool min_exclusive = false;  // "greater than min" rather than "at least min"

    // Whether `v` is a finite number inside the range.
    bool contains(double v) const;
    // The range in words: "from 0 to 1", "at least -1", "greater than 0", "any finite number".
    std::string describe() const;
};

// Throws Error("<what> is <value>; it must be <range>") unless range.contains(value).
void check_value(std::string_view what, double value, const ValueRange& range);

}  // namespace prism
