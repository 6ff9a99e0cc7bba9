#include <map>
#include <sstream>

#include "gguf/storage.hpp"
#include "prism/error.hpp"
#include "prism/printable.hpp"

namespace prism::gguf {

const std::string& File::name() const {
    return storage_->name;
}

std::uint64_t File::file_size() const {
    std::uint64_t size = storage_->bytes.size();
    for (const File& shard : shards_) size += shard.file_size();
    return size;
}

const Value* File::find(std::string_view key) const {
    const auto it = value_index_.find(key);
    return it == value_index_.end() ? nullptr : &values_[it->second];
}

const Value& File::value(std::string_view key) const {
    const Value* v = find(key);
    if (v == nullptr) throw FormatError(name() + ": missing key '" + printable(key) + "'");
    return *v;
}

const TensorInfo* File::find_tensor(std::string_view name) const {
    const auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const TensorInfo& File::tensor(std::string_view tensor_name) const {
    const TensorInfo* t = find_tensor(tensor_name);
    if (t == nullptr) {
        throw FormatError(name() + ": missing tensor '" + printable(tensor_name) + "'");
    }
    return *t;
}

std::uint64_t File::parameter_count() const {
    std::uint64_t n = 0;
    for (const auto& t : tensors_) n += t.n_elements();
    return n;
}

std::vector<TypeCount> File::type_histogram() const {
    std::map<std::uint32_t, TypeCount> by_id;
    for (const auto& t : tensors_) {
        auto [it, inserted] =
            by_id.try_emplace(static_cast<std::uint32_t>(t.type), TypeCount{t.type});
        it->second.tensors += 1;
        it->second.elements += t.n_elements();
        it->second.bytes += t.n_bytes;
    }
    std::vector<TypeCount> out;
    out.reserve(by_id.size());
    for (const auto& [id, count] : by_id) out.push_back(count);
    return out;
}

std::string TensorInfo::shape_string() const {
    std::ostringstream out;
    out << '[';
    for (std::uint32_t d = 0; d < n_dims; ++d) out << (d ? ", " : "") << ne[d];
    out << ']';
    return out.str();
}

}  // namespace prism::gguf
