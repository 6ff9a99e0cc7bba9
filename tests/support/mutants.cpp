#include "support/mutants.hpp"

#include <algorithm>

namespace prism::test {

std::vector<std::uint8_t> seeded_mutant(const std::vector<std::uint8_t>& original, int i,
                                        std::mt19937& random) {
    auto bytes = original;
    if (bytes.empty()) return bytes;
    const std::size_t span = i % 2 == 0 ? bytes.size() : std::min<std::size_t>(512, bytes.size());
    const int flips = 1 + int(random() % 8);
    for (int f = 0; f < flips; ++f) bytes[random() % span] ^= std::uint8_t(1u << (random() % 8));
    if (i % 5 == 4) bytes.resize(random() % bytes.size());
    return bytes;
}

}  // namespace prism::test
