#pragma once

// Generation options for tests that compare tokens: greedy sampling, a fixed length.

#include <cstdint>

#include "prism/session.hpp"

namespace prism::test {

inline GenerateOptions greedy(std::int64_t max_tokens) {
    GenerateOptions o;
    o.sampling.temperature = 0.0f;
    o.max_tokens = max_tokens;
    return o;
}

}  // namespace prism::test
