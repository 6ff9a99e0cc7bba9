#include "gguf/assembler.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <utility>

#include "gguf/storage.hpp"
#include "prism/error.hpp"
#include "prism/printable.hpp"

static_assert(std::endian::native == std::endian::little,
              "GGUF metadata is written little-endian with memcpy");

namespace prism::gguf {

void MetadataWriter::raw(const void* data, std::size_t n) {
    const auto* p = static_cast<const std::byte*>(data);
    kv_.insert(kv_.end(), p, p + n);
}

void MetadataWriter::text(std::string_view s) {
    const std::uint64_t n = s.size();
    raw(&n, sizeof n);
    raw(s.data(), s.size());
}

void MetadataWriter::key(std::string_view name, ValueType type) {
    text(name);
    const auto t = static_cast<std::uint32_t>(type);
    raw(&t, sizeof t);
    ++count_;
}

void MetadataWriter::u32(std::string_view name, std::uint32_t value) {
    key(name, ValueType::U32);
    raw(&value, sizeof value);
}

void MetadataWriter::f32(std::string_view name, float value) {
    key(name, ValueType::F32);
    raw(&value, sizeof value);
}

void MetadataWriter::string(std::string_view name, std::string_view value) {
    key(name, ValueType::String);
    text(value);
}

void MetadataWriter::i32_array(std::string_view name, std::span<const std::int32_t> values) {
    key(name, ValueType::Array);
    const auto element = static_cast<std::uint32_t>(ValueType::I32);
    const std::uint64_t n = values.size();
    raw(&element, sizeof element);
    raw(&n, sizeof n);
    raw(values.data(), values.size_bytes());
}

void MetadataWriter::string_array(std::string_view name, std::span<const std::string> values) {
    key(name, ValueType::Array);
    const auto element = static_cast<std::uint32_t>(ValueType::String);
    const std::uint64_t n = values.size();
    raw(&element, sizeof element);
    raw(&n, sizeof n);
    for (const auto& v : values) text(v);
}

std::vector<std::byte> MetadataWriter::finish() const {
    std::vector<std::byte> out;
    out.reserve(24 + kv_.size());
    const auto put = [&out](const void* data, std::size_t n) {
        const auto* p = static_cast<const std::byte*>(data);
        out.insert(out.end(), p, p + n);
    };
    const std::uint32_t version = 3;
    const std::uint64_t n_tensors = 0;
    put("GGUF", 4);
    put(&version, sizeof version);
    put(&n_tensors, sizeof n_tensors);
    put(&count_, sizeof count_);
    out.insert(out.end(), kv_.begin(), kv_.end());
    return out;
}

Assembler::Assembler(const std::filesystem::path& path) {
    file_.storage_->name = path.string();
    file_.storage_->map = MappedFile(path);
    file_.storage_->bytes = file_.storage_->map.bytes();
}

Assembler::Assembler(std::span<const std::byte> bytes, std::string name) {
    file_.storage_->name = std::move(name);
    file_.storage_->owned.assign(bytes.begin(), bytes.end());
    file_.storage_->bytes = file_.storage_->owned;
}

std::span<const std::byte> Assembler::bytes() const {
    return file_.storage_->bytes;
}

const std::string& Assembler::name() const {
    return file_.storage_->name;
}

File Assembler::finish(const MetadataWriter& metadata, std::vector<ForeignTensor> tensors) && {
    File::Storage& s = *file_.storage_;
    s.metadata = metadata.finish();
    parse_metadata(file_, s.metadata);
    const auto fail = [&s](const std::string& problem) {
        throw FormatError(s.name + ": " + problem);
    };
    const std::uint64_t size = s.bytes.size();
    file_.tensors_.reserve(tensors.size());
    for (auto& t : tensors) {
        const std::string label = "tensor '" + printable(t.name) + "'";
        const auto type = find_tensor_type(static_cast<std::uint32_t>(t.type));
        if (!type) fail(label + " has an unknown type");
        TensorInfo info{};
        info.type = t.type;
        info.n_dims = t.n_dims;
        info.ne = t.ne;
        std::uint64_t elements = 1;
        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        for (const std::uint64_t n : t.ne) {
            if (n == 0 || elements > kMax / n) fail(label + " has an impossible shape");
            elements *= n;
        }
        if (t.ne[0] % type->block_elements != 0) {
            fail(label + " row length " + std::to_string(t.ne[0]) + " is not a multiple of the " +
                 std::string(type->name) + " block size " + std::to_string(type->block_elements));
        }
        info.n_bytes = elements / type->block_elements * type->block_bytes;
        if (t.file_offset > size || info.n_bytes > size - t.file_offset) {
            fail(label + " data (" + std::to_string(info.n_bytes) + " bytes at offset " +
                 std::to_string(t.file_offset) + ") lies past the end of the file (size " +
                 std::to_string(size) + ")");
        }
        info.offset = t.file_offset;
        info.file_offset = t.file_offset;
        info.data = s.bytes.subspan(static_cast<std::size_t>(t.file_offset),
                                    static_cast<std::size_t>(info.n_bytes));
        info.name = s.tensor_names.emplace_back(std::move(t.name));
        if (file_.tensor_index_.contains(info.name)) fail("duplicate " + label);
        file_.tensor_index_.emplace(info.name, file_.tensors_.size());
        file_.tensors_.push_back(info);
    }
    return std::move(file_);
}

}  // namespace prism::gguf
