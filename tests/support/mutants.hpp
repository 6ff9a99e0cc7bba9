#pragma once

// Seeded mutants of real files for the decoders' never-crash tests.

#include <cstdint>
#include <random>
#include <vector>

namespace prism::test {

// The i-th mutant of `original`: 1 to 8 bit flips anywhere (even i) or in the first 512 bytes,
// where the headers are (odd i); every fifth one is also cut short at a random length.
std::vector<std::uint8_t> seeded_mutant(const std::vector<std::uint8_t>& original, int i,
                                        std::mt19937& random);

}  // namespace prism::test
