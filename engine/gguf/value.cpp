#include <cstring>
#include <limits>
#include <sstream>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/printable.hpp"

namespace prism::gguf {
namespace {

template <class T>
T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

std::string type_description(ValueType type, ValueType element) {
    if (type != ValueType::Array) return std::string(value_type_name(type));
    return "array of " + std::string(value_type_name(element));
}

}  // namespace

std::string_view value_type_name(ValueType type) {
    switch (type) {
        case ValueType::U8:
            return "u8";
        case ValueType::I8:
            return "i8";
        case ValueType::U16:
            return "u16";
        case ValueType::I16:
            return "i16";
        case ValueType::U32:
            return "u32";
        case ValueType::I32:
            return "i32";
        case ValueType::F32:
            return "f32";
        case ValueType::Bool:
            return "bool";
        case ValueType::String:
            return "string";
        case ValueType::Array:
            return "array";
        case ValueType::U64:
            return "u64";
        case ValueType::I64:
            return "i64";
        case ValueType::F64:
            return "f64";
    }
    return "unknown";
}

void Value::type_mismatch(std::string_view expected) const {
    throw FormatError(std::string(file_) + ": key '" + printable(key_) + "' has type " +
                      type_description(type_, element_type_) + ", expected " +
                      std::string(expected));
}

void Value::expect(ValueType t) const {
    if (type_ != t) type_mismatch(value_type_name(t));
}

void Value::expect_array_of(ValueType t) const {
    if (type_ != ValueType::Array || element_type_ != t) {
        type_mismatch(type_description(ValueType::Array, t));
    }
}

ValueType Value::element_type() const {
    if (type_ != ValueType::Array) type_mismatch("array");
    return element_type_;
}

std::uint64_t Value::array_size() const {
    if (type_ != ValueType::Array) type_mismatch("array");
    return count_;
}

template <MetadataType T>
T Value::as() const {
    expect(value_type_of<T>());
    if constexpr (std::same_as<T, std::string> || std::same_as<T, std::string_view>) {
        return T(reinterpret_cast<const char*>(data_), static_cast<std::size_t>(bytes_));
    } else if constexpr (std::same_as<T, bool>) {
        return load<std::uint8_t>(data_) != 0;
    } else {
        return load<T>(data_);
    }
}

template <MetadataType T>
std::vector<T> Value::as_array() const {
    expect_array_of(value_type_of<T>());
    if constexpr (std::same_as<T, std::string> || std::same_as<T, std::string_view>) {
        return std::vector<T>(strings_.begin(), strings_.end());
    } else {
        // The parser checked count_ * sizeof(T) against the file size.
        std::vector<T> out(static_cast<std::size_t>(count_));
        for (std::size_t i = 0; i < out.size(); ++i) {
            if constexpr (std::same_as<T, bool>) {
                out[i] = load<std::uint8_t>(data_ + i) != 0;
            } else {
                out[i] = load<T>(data_ + i * sizeof(T));
            }
        }
        return out;
    }
}

Value::Integer Value::integer() const {
    auto u = [](std::uint64_t x) { return Integer{false, 0, x}; };
    auto s = [](std::int64_t x) {
        return x < 0 ? Integer{true, x, 0} : Integer{false, 0, static_cast<std::uint64_t>(x)};
    };
    switch (type_) {
        case ValueType::U8:
            return u(load<std::uint8_t>(data_));
        case ValueType::U16:
            return u(load<std::uint16_t>(data_));
        case ValueType::U32:
            return u(load<std::uint32_t>(data_));
        case ValueType::U64:
            return u(load<std::uint64_t>(data_));
        case ValueType::I8:
            return s(load<std::int8_t>(data_));
        case ValueType::I16:
            return s(load<std::int16_t>(data_));
        case ValueType::I32:
            return s(load<std::int32_t>(data_));
        case ValueType::I64:
            return s(load<std::int64_t>(data_));
        default:
            type_mismatch("an integer");
    }
}

void Value::out_of_range(std::size_t bits, bool is_signed) const {
    throw FormatError(std::string(file_) + ": key '" + printable(key_) + "' value " + to_string() +
                      " does not fit in a " + std::to_string(bits) + "-bit " +
                      (is_signed ? "signed" : "unsigned") + " integer");
}

std::string Value::to_string() const {
    std::ostringstream out;
    switch (type_) {
        case ValueType::U8:
            out << unsigned{load<std::uint8_t>(data_)};
            break;
        case ValueType::I8:
            out << int{load<std::int8_t>(data_)};
            break;
        case ValueType::U16:
            out << load<std::uint16_t>(data_);
            break;
        case ValueType::I16:
            out << load<std::int16_t>(data_);
            break;
        case ValueType::U32:
            out << load<std::uint32_t>(data_);
            break;
        case ValueType::I32:
            out << load<std::int32_t>(data_);
            break;
        case ValueType::U64:
            out << load<std::uint64_t>(data_);
            break;
        case ValueType::I64:
            out << load<std::int64_t>(data_);
            break;
        case ValueType::F32:
            out << load<float>(data_);
            break;
        case ValueType::F64:
            out << load<double>(data_);
            break;
        case ValueType::Bool:
            out << (load<std::uint8_t>(data_) != 0 ? "true" : "false");
            break;
        case ValueType::String: {
            out << '"' << printable(as<std::string_view>(), 60) << '"';
            break;
        }
        case ValueType::Array:
            out << '[' << value_type_name(element_type_) << " x " << count_ << ']';
            break;
    }
    return out.str();
}

#define PRISM_GGUF_INSTANTIATE(T)    \
    template T Value::as<T>() const; \
    template std::vector<T> Value::as_array<T>() const;
PRISM_GGUF_INSTANTIATE(std::uint8_t)
PRISM_GGUF_INSTANTIATE(std::int8_t)
PRISM_GGUF_INSTANTIATE(std::uint16_t)
PRISM_GGUF_INSTANTIATE(std::int16_t)
PRISM_GGUF_INSTANTIATE(std::uint32_t)
PRISM_GGUF_INSTANTIATE(std::int32_t)
PRISM_GGUF_INSTANTIATE(std::uint64_t)
PRISM_GGUF_INSTANTIATE(std::int64_t)
PRISM_GGUF_INSTANTIATE(float)
PRISM_GGUF_INSTANTIATE(double)
PRISM_GGUF_INSTANTIATE(bool)
PRISM_GGUF_INSTANTIATE(std::string)
PRISM_GGUF_INSTANTIATE(std::string_view)
#undef PRISM_GGUF_INSTANTIATE

}  // namespace prism::gguf
