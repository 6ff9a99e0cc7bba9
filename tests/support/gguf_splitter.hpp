#pragma once

// Splits a GGUF file the way llama.cpp's gguf-split does: shards "<prefix>-00001-of-0000N.gguf",
// each a complete GGUF file; the first holds all metadata, every one holds split.no (0-based,
// u16), split.count (u16) and split.tensors.count (i32) and its share of the tensors.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "prism/gguf.hpp"

namespace prism::test {

// Writes `parts` shards of `source` beside `prefix` (tensors dealt out in file order, as evenly
// as their count allows) and returns their paths, first shard first.
std::vector<std::filesystem::path> write_split(const gguf::File& source,
                                               const std::filesystem::path& prefix,
                                               std::uint32_t parts);

}  // namespace prism::test
