// libFuzzer entry: arbitrary bytes opened as a GGUF. A FormatError is the expected outcome for
// most inputs; anything else escaping (another exception, a sanitizer report, a hang) is a bug.
// For files that parse, every value and tensor is read so that the views handed out are
// checked by ASan against the buffer.

#include <cstddef>
#include <cstdint>
#include <span>

#include "prism/error.hpp"
#include "prism/gguf.hpp"

namespace {

using namespace prism::gguf;

volatile std::uint64_t g_sink;

template <MetadataType T>
void touch(const Value& v) {
    if (v.is_array()) {
        g_sink = g_sink + v.as_array<T>().size();
    } else {
        (void)v.as<T>();
    }
}

void touch_value(const Value& v) {
    g_sink = g_sink + v.to_string().size() + v.key().size();
    const ValueType t = v.is_array() ? v.element_type() : v.type();
    switch (t) {
        case ValueType::U8:
            touch<std::uint8_t>(v);
            break;
        case ValueType::I8:
            touch<std::int8_t>(v);
            break;
        case ValueType::U16:
            touch<std::uint16_t>(v);
            break;
        case ValueType::I16:
            touch<std::int16_t>(v);
            break;
        case ValueType::U32:
            touch<std::uint32_t>(v);
            break;
        case ValueType::I32:
            touch<std::int32_t>(v);
            break;
        case ValueType::U64:
            touch<std::uint64_t>(v);
            break;
        case ValueType::I64:
            touch<std::int64_t>(v);
            break;
        case ValueType::F32:
            touch<float>(v);
            break;
        case ValueType::F64:
            touch<double>(v);
            break;
        case ValueType::Bool:
            touch<bool>(v);
            break;
        case ValueType::String:
            touch<std::string_view>(v);
            break;
        case ValueType::Array:
            break;  // the reader rejects nested arrays
    }
    try {
        g_sink = g_sink + static_cast<std::uint64_t>(v.as_integer<std::int32_t>());
    } catch (const prism::FormatError&) {
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const File f = File::from_bytes(
            std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size),
            "fuzz.gguf");
        for (const auto& v : f.metadata()) {
            touch_value(v);
            if (f.find(v.key()) != &v) __builtin_trap();
        }
        for (const auto& t : f.tensors()) {
            if (f.find_tensor(t.name) != &t) __builtin_trap();
            if (t.data.size() != t.n_bytes || t.n_bytes == 0) __builtin_trap();
            g_sink = g_sink + static_cast<std::uint64_t>(t.data.front()) +
                     static_cast<std::uint64_t>(t.data.back()) + t.shape_string().size();
        }
        g_sink = g_sink + f.parameter_count() + f.type_histogram().size() + f.alignment();
    } catch (const prism::FormatError&) {
    }
    return 0;
}
