// Models split by llama.cpp's gguf-split: "<prefix>-00001-of-00003.gguf" ... each shard a complete
// GGUF file with its own subset of the tensors. Every shard carries split.no (0-based),
// split.count and split.tensors.count; only the first carries the model's metadata. A set is
// accepted only whole and consistent, so a partial download or a shard of another model fails
// here, naming the shard, rather than as a missing tensor deep in a model loader.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <unordered_map>

#include "gguf/storage.hpp"
#include "prism/error.hpp"
#include "prism/printable.hpp"

namespace prism::gguf {
namespace {

constexpr std::string_view kSplitNo = "split.no";
constexpr std::string_view kSplitCount = "split.count";
constexpr std::string_view kSplitTensors = "split.tensors.count";
// "-00001-of-00003.gguf"
constexpr std::size_t kSuffixLength = 20;

std::optional<std::uint32_t> five_digits(std::string_view s) {
    std::uint32_t n = 0;
    for (const char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<std::uint32_t>(c - '0');
    }
    return n;
}

[[noreturn]] void fail(const std::string& file, const std::string& problem) {
    throw FormatError(file + ": " + problem);
}

std::int64_t split_key(const File& file, std::string_view key) {
    const Value* v = file.find(key);
    if (v == nullptr)
        fail(file.name(), "a shard of a split model without '" + std::string(key) + "'");
    return v->as_integer<std::int64_t>();
}

std::string shard_label(std::int64_t part, std::int64_t parts) {
    return "shard " + std::to_string(part) + " of " + std::to_string(parts);
}

}  // namespace

std::optional<SplitName> parse_split_name(const std::string& path) {
    if (path.size() < kSuffixLength) return std::nullopt;
    const std::string_view suffix = std::string_view(path).substr(path.size() - kSuffixLength);
    if (suffix[0] != '-' || suffix.substr(6, 4) != "-of-" || suffix.substr(15) != ".gguf")
        return std::nullopt;
    const auto part = five_digits(suffix.substr(1, 5));
    const auto parts = five_digits(suffix.substr(10, 5));
    if (!part || !parts || *part < 1 || *part > *parts) return std::nullopt;
    return SplitName{path.substr(0, path.size() - kSuffixLength), *part, *parts};
}

std::string split_path(const std::string& prefix, std::uint32_t part, std::uint32_t parts) {
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "-%05u-of-%05u.gguf", part, parts);
    return prefix + suffix;
}

// Opens and joins the shards of one split model.
class SplitSet {
  public:
    static File open(const std::filesystem::path& path) {
        File given = File::open_single(path);
        if (!given.contains(kSplitCount)) return given;
        const std::int64_t parts = split_key(given, kSplitCount);
        // gguf-split's merge writes split.count 0 into the merged file.
        if (parts <= 1) return given;
        const std::int64_t part = split_key(given, kSplitNo) + 1;
        const auto name = parse_split_name(path.string());
        if (!name || name->parts != parts || name->part != part) {
            fail(given.name(), "holds " + shard_label(part, parts) +
                                   " of a split model, but its name does not " + "end in \"" +
                                   split_path("", static_cast<std::uint32_t>(part),
                                              static_cast<std::uint32_t>(parts)) +
                                   "\", so the other shards cannot be found");
        }
        std::vector<File> shards;
        shards.reserve(static_cast<std::size_t>(parts));
        for (std::uint32_t k = 1; k <= name->parts; ++k) {
            if (k == name->part) {
                shards.push_back(std::move(given));
            } else {
                shards.push_back(open_shard(split_path(name->prefix, k, name->parts), k, parts));
            }
        }
        return join(std::move(shards));
    }

  private:
    static File open_shard(const std::string& path, std::int64_t part, std::int64_t parts) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec))
            fail(path, shard_label(part, parts) + " of a split model is missing");
        try {
            return File::open_single(path);
        } catch (const Error& e) {
            throw FormatError(std::string(e.what()) + " (" + shard_label(part, parts) + ")");
        }
    }

    static File join(std::vector<File> shards) {
        const std::int64_t parts = static_cast<std::int64_t>(shards.size());
        const std::int64_t tensors = split_key(shards[0], kSplitTensors);
        for (std::int64_t k = 0; k < parts; ++k) {
            const File& shard = shards[static_cast<std::size_t>(k)];
            const std::string label = shard_label(k + 1, parts);
            if (const std::int64_t n = split_key(shard, kSplitCount); n != parts) {
                fail(shard.name(), "split.count is " + std::to_string(n) + " but " +
                                       shards[0].name() + " says " + std::to_string(parts) +
                                       " (a shard of another split model?)");
            }
            if (const std::int64_t no = split_key(shard, kSplitNo); no != k) {
                fail(shard.name(),
                     "split.no says shard " + std::to_string(no + 1) + ", its name says " + label);
            }
            if (const std::int64_t n = split_key(shard, kSplitTensors); n != tensors) {
                fail(shard.name(), "split.tensors.count is " + std::to_string(n) + " but " +
                                       shards[0].name() + " says " + std::to_string(tensors) +
                                       " (a shard of another split model?)");
            }
        }

        File joined = std::move(shards[0]);
        std::unordered_map<std::string_view, std::size_t> owner;  // tensor -> shard index
        for (const TensorInfo& t : joined.tensors_) owner.emplace(t.name, 0);
        for (std::size_t k = 1; k < shards.size(); ++k) {
            File& shard = shards[k];
            for (const TensorInfo& t : shard.tensors_) {
                const auto [it, added] = owner.emplace(t.name, k);
                if (!added) {
                    const std::string& other =
                        it->second == 0 ? joined.name() : shards[it->second].name();
                    fail(shard.name(), "tensor '" + printable(t.name) + "' is also in " + other);
                }
                joined.tensor_index_.emplace(t.name, joined.tensors_.size());
                joined.tensors_.push_back(t);
            }
        }
        if (static_cast<std::int64_t>(joined.tensors_.size()) != tensors) {
            fail(joined.name(), "the " + std::to_string(parts) + " shards hold " +
                                    std::to_string(joined.tensors_.size()) +
                                    " tensors but split.tensors.count is " +
                                    std::to_string(tensors));
        }
        // The tensors view the shards' maps, which live on the heap and survive these moves.
        for (std::size_t k = 1; k < shards.size(); ++k)
            joined.shards_.push_back(std::move(shards[k]));
        return joined;
    }
};

File File::open(const std::filesystem::path& path) {
    return SplitSet::open(path);
}

}  // namespace prism::gguf
