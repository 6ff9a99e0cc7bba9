#include "prism/value_range.hpp"

#include <cmath>
#include <cstdio>

#include "prism/error.hpp"

namespace prism {
namespace {

// Integers as integers (2147483647, not 2.14748e+09); other values shortest-ish.
std::string number(double v) {
    char buf[64];
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 0x1p53) {
        std::snprintf(buf, sizeof buf, "%.0f", v);
    } else {
        std::snprintf(buf, sizeof buf, "%g", v);
    }
    return buf;
}

}  // namespace

bool ValueRange::contains(double v) const {
    if (!std::isfinite(v)) return false;
    if (min_exclusive ? v <= min : v < min) return false;
    return v <= max;
}

std::string ValueRange::describe() const {
    const bool low = std::isfinite(min), high = std::isfinite(max);
    if (low && high && !min_exclusive) return "from " + number(min) + " to " + number(max);
    if (low && high) return "greater than " + number(min) + " and at most " + number(max);
    if (low) return (min_exclusive ? "greater than " : "at least ") + number(min);
    if (high) return "at most " + number(max);
    return "any finite number";
}

void check_value(std::string_view what, double value, const ValueRange& range) {
    if (range.contains(value)) return;
    const std::string rule = range.describe();
    std::string must = rule;
    if (!std::isfinite(value))
        must = rule == "any finite number" ? "a finite number" : "a finite number, " + rule;
    throw Error(std::string(what) + " is " + number(value) + "; it must be " + must);
}

}  // namespace prism
