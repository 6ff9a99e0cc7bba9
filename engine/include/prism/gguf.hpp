#pragma once

// Reader for GGUF files (llama.cpp's model container), versions 2 and 3.
//
// A File maps the whole file read-only and validates everything before handing it out: every
// count, length, dimension and byte range is checked against the file size, so a caller may
// trust what it gets. Metadata strings and tensor data are views into the map; they live as
// long as the File (moving a File keeps them valid). Every failure is a prism::FormatError whose
// message starts with the file's name.
//
// A model split by llama.cpp's gguf-split ("<prefix>-00001-of-00003.gguf" ...) opens as one File
// from any of its shards: the metadata is the first shard's, the tensors are every shard's, in
// shard order, each viewing its own shard's map.

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "prism/tensor_type.hpp"

namespace prism::gguf {

// Metadata value types, numbered as in the file.
enum class ValueType : std::uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};

// "u32", "string", "array" ... as used in messages.
std::string_view value_type_name(ValueType type);

// The C++ types a metadata scalar (or array element) can be read as. std::string_view views
// the map; std::string copies.
template <class T>
concept MetadataType = std::same_as<T, std::uint8_t> || std::same_as<T, std::int8_t> ||
    std::same_as<T, std::uint16_t> || std::same_as<T, std::int16_t> ||
    std::same_as<T, std::uint32_t> || std::same_as<T, std::int32_t> ||
    std::same_as<T, std::uint64_t> || std::same_as<T, std::int64_t> || std::same_as<T, float> ||
    std::same_as<T, double> || std::same_as<T, bool> || std::same_as<T, std::string> ||
    std::same_as<T, std::string_view>;

// Integer types as_integer/get_integer convert to.
template <class T>
concept MetadataInteger = std::integral<T> && !std::same_as<T, bool>;

// The file's type for a C++ type, e.g. U32 for std::uint32_t.
template <MetadataType T>
constexpr ValueType value_type_of() {
    if constexpr (std::same_as<T, std::uint8_t>) return ValueType::U8;
    if constexpr (std::same_as<T, std::int8_t>) return ValueType::I8;
    if constexpr (std::same_as<T, std::uint16_t>) return ValueType::U16;
    if constexpr (std::same_as<T, std::int16_t>) return ValueType::I16;
    if constexpr (std::same_as<T, std::uint32_t>) return ValueType::U32;
    if constexpr (std::same_as<T, std::int32_t>) return ValueType::I32;
    if constexpr (std::same_as<T, std::uint64_t>) return ValueType::U64;
    if constexpr (std::same_as<T, std::int64_t>) return ValueType::I64;
    if constexpr (std::same_as<T, float>) return ValueType::F32;
    if constexpr (std::same_as<T, double>) return ValueType::F64;
    if constexpr (std::same_as<T, bool>) return ValueType::Bool;
    return ValueType::String;
}

// One metadata value. Reading it as the wrong type throws a FormatError naming the file, the
// key, the expected and the actual type.
class Value {
  public:
    std::string_view key() const { return key_; }
    ValueType type() const { return type_; }
    bool is_array() const { return type_ == ValueType::Array; }
    // Element type and length of an array (throws for a scalar).
    ValueType element_type() const;
    std::uint64_t array_size() const;

    // The scalar as exactly its own type: as<std::uint32_t>() fails on a u64 value.
    template <MetadataType T>
    T as() const;
    // Any integer scalar converted to T, failing when the value does not fit. For keys that
    // converters write with varying integer widths.
    template <MetadataInteger T>
    T as_integer() const {
        const Integer v = integer();
        const bool fits =
            v.negative ? std::in_range<T>(v.as_signed) : std::in_range<T>(v.as_unsigned);
        if (!fits) out_of_range(sizeof(T) * 8, std::is_signed_v<T>);
        return v.negative ? static_cast<T>(v.as_signed) : static_cast<T>(v.as_unsigned);
    }
    // The array's elements, whose type must be exactly T's.
    template <MetadataType T>
    std::vector<T> as_array() const;

    // "42", "\"llama\"", "[u32 x 5]" -- a short human-readable rendering.
    std::string to_string() const;

  private:
    friend class Parser;
    struct Integer {
        bool negative;
        std::int64_t as_signed;
        std::uint64_t as_unsigned;
    };
    Integer integer() const;
    [[noreturn]] void out_of_range(std::size_t bits, bool is_signed) const;
    [[noreturn]] void type_mismatch(std::string_view expected) const;
    void expect(ValueType t) const;
    void expect_array_of(ValueType t) const;

    std::string_view file_;
    std::string_view key_;
    ValueType type_ = ValueType::U8;
    ValueType element_type_ = ValueType::U8;
    std::uint64_t count_ = 0;                // array length
    const std::byte* data_ = nullptr;        // scalar bytes, string bytes or packed array elements
    std::uint64_t bytes_ = 0;                // string length
    std::vector<std::string_view> strings_;  // elements of a string array
};

struct TensorInfo {
    std::string_view name;
    TensorType type;
    std::uint32_t n_dims;             // 0..4 as stored; ne[] beyond n_dims is 1
    std::array<std::uint64_t, 4> ne;  // ne[0] innermost
    std::uint64_t offset;             // relative to the data section, as stored
    std::uint64_t file_offset;        // absolute position in its file (its shard's, when split)
    std::uint64_t n_bytes;
    std::span<const std::byte> data;  // the bytes in the map

    std::uint64_t n_elements() const { return ne[0] * ne[1] * ne[2] * ne[3]; }
    // "[64, 512]"
    std::string shape_string() const;
};

// What a shard's file name says: "<prefix>-00002-of-00003.gguf" is part 2 of 3 (1-based).
struct SplitName {
    std::string prefix;  // the path before "-00002-of-00003.gguf"
    std::uint32_t part = 0;
    std::uint32_t parts = 0;
};
// nullopt when the name does not end in "-NNNNN-of-NNNNN.gguf" with 1 <= part <= parts.
std::optional<SplitName> parse_split_name(const std::string& path);
// "<prefix>-00002-of-00003.gguf".
std::string split_path(const std::string& prefix, std::uint32_t part, std::uint32_t parts);

struct TypeCount {
    TensorType type;
    std::uint64_t tensors = 0;
    std::uint64_t elements = 0;
    std::uint64_t bytes = 0;
};

class File {
  public:
    // Maps and validates a file; its name in messages is the path as given. A shard of a split
    // model (one whose split.count is above 1) opens the whole set, named by its first shard;
    // a missing, unreadable or inconsistent shard fails with a message naming it.
    static File open(const std::filesystem::path& path);
    // Validates bytes held in memory (copied), under `name` in messages. For tests and fuzzing.
    static File from_bytes(std::span<const std::byte> bytes, std::string name = "<memory>");

    File(File&&) noexcept;
    File& operator=(File&&) noexcept;
    ~File();

    const std::string& name() const;
    std::uint32_t version() const { return version_; }
    // Bytes on disk, every shard's together for a split model.
    std::uint64_t file_size() const;
    // 1 for a single file, else the number of shards (all open).
    std::size_t shard_count() const { return shards_.size() + 1; }
    std::uint32_t alignment() const { return alignment_; }
    std::uint64_t data_offset() const { return data_offset_; }

    // --- metadata, in file order
    std::span<const Value> metadata() const { return values_; }
    const Value* find(std::string_view key) const;
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    // Throws FormatError when the key is missing or has another type.
    const Value& value(std::string_view key) const;
    template <MetadataType T>
    T get(std::string_view key) const {
        return value(key).as<T>();
    }
    template <MetadataType T>
    std::optional<T> get_optional(std::string_view key) const {
        const Value* v = find(key);
        if (v == nullptr) return std::nullopt;
        return v->as<T>();
    }
    template <MetadataType T>
    T get_or(std::string_view key, T fallback) const {
        const Value* v = find(key);
        return v == nullptr ? fallback : v->as<T>();
    }
    template <MetadataType T>
    std::vector<T> get_array(std::string_view key) const {
        return value(key).as_array<T>();
    }
    template <MetadataInteger T>
    T get_integer(std::string_view key) const {
        return value(key).as_integer<T>();
    }

    // --- tensors, in file order
    std::span<const TensorInfo> tensors() const { return tensors_; }
    const TensorInfo* find_tensor(std::string_view name) const;
    // Throws FormatError naming the file and tensor when it is missing.
    const TensorInfo& tensor(std::string_view name) const;

    // Sum of all tensors' element counts.
    std::uint64_t parameter_count() const;
    // One entry per tensor type present, ordered by type id.
    std::vector<TypeCount> type_histogram() const;

  private:
    friend class Parser;
    friend class Assembler;
    friend class SplitSet;
    struct Storage;
    File();
    static File open_single(const std::filesystem::path& path);

    std::unique_ptr<Storage> storage_;  // on the heap so that views into it survive moves
    std::uint32_t version_ = 0;
    std::uint32_t alignment_ = 32;
    std::uint64_t data_offset_ = 0;
    std::vector<Value> values_;
    std::vector<TensorInfo> tensors_;
    std::unordered_map<std::string_view, std::size_t> value_index_;
    std::unordered_map<std::string_view, std::size_t> tensor_index_;
    std::vector<File> shards_;  // a split model's other shards, whose maps its tensors view
};

}  // namespace prism::gguf
