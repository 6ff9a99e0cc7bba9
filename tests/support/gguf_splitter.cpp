#include "support/gguf_splitter.hpp"

#include <algorithm>
#include <string>

#include "support/gguf_builder.hpp"

namespace prism::test {
namespace {

template <gguf::MetadataType T>
void copy_value(GgufBuilder& out, const gguf::Value& v) {
    const std::string key(v.key());
    if (v.is_array()) {
        out.set_array<T>(key, v.as_array<T>());
    } else {
        out.set<T>(key, v.as<T>());
    }
}

void copy_value_of(gguf::ValueType type, GgufBuilder& out, const gguf::Value& v) {
    using gguf::ValueType;
    switch (type) {
        case ValueType::U8:
            return copy_value<std::uint8_t>(out, v);
        case ValueType::I8:
            return copy_value<std::int8_t>(out, v);
        case ValueType::U16:
            return copy_value<std::uint16_t>(out, v);
        case ValueType::I16:
            return copy_value<std::int16_t>(out, v);
        case ValueType::U32:
            return copy_value<std::uint32_t>(out, v);
        case ValueType::I32:
            return copy_value<std::int32_t>(out, v);
        case ValueType::U64:
            return copy_value<std::uint64_t>(out, v);
        case ValueType::I64:
            return copy_value<std::int64_t>(out, v);
        case ValueType::F32:
            return copy_value<float>(out, v);
        case ValueType::F64:
            return copy_value<double>(out, v);
        case ValueType::Bool:
            return copy_value<bool>(out, v);
        case ValueType::String:
            return copy_value<std::string>(out, v);
        case ValueType::Array:
            break;
    }
}

void copy_metadata(const gguf::File& source, GgufBuilder& out) {
    for (const gguf::Value& v : source.metadata()) {
        if (v.key().starts_with("split.")) continue;
        if (v.key() == "general.alignment") {
            out.alignment(v.as<std::uint32_t>());
            continue;
        }
        copy_value_of(v.is_array() ? v.element_type() : v.type(), out, v);
    }
}

}  // namespace

std::vector<std::filesystem::path> write_split(const gguf::File& source,
                                               const std::filesystem::path& prefix,
                                               std::uint32_t parts) {
    const auto tensors = source.tensors();
    const std::size_t per_shard = (tensors.size() + parts - 1) / parts;
    std::vector<std::filesystem::path> paths;
    for (std::uint32_t k = 0; k < parts; ++k) {
        GgufBuilder shard;
        if (k == 0) copy_metadata(source, shard);
        shard.set<std::uint16_t>("split.no", static_cast<std::uint16_t>(k))
            .set<std::uint16_t>("split.count", static_cast<std::uint16_t>(parts))
            .set<std::int32_t>("split.tensors.count", static_cast<std::int32_t>(tensors.size()));
        const std::size_t begin = std::min(tensors.size(), k * per_shard);
        const std::size_t end = std::min(tensors.size(), begin + per_shard);
        for (std::size_t i = begin; i < end; ++i) {
            const gguf::TensorInfo& t = tensors[i];
            shard.tensor(std::string(t.name), t.type,
                         std::vector<std::uint64_t>(t.ne.begin(), t.ne.begin() + t.n_dims),
                         std::vector<std::byte>(t.data.begin(), t.data.end()));
        }
        paths.emplace_back(gguf::split_path(prefix.string(), k + 1, parts));
        shard.write(paths.back());
    }
    return paths;
}

}  // namespace prism::test
