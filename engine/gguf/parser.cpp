// Parsing and validation of the GGUF container. Nothing here trusts a number read from the
// file: every count is checked against the bytes that remain before anything is reserved,
// and every size is computed with overflow checks, so hostile files end in a FormatError.

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <numeric>
#include <type_traits>

#include "gguf/storage.hpp"
#include "prism/error.hpp"
#include "prism/printable.hpp"

static_assert(std::endian::native == std::endian::little,
              "the GGUF reader loads little-endian values with memcpy");

namespace prism::gguf {
namespace {

constexpr std::uint32_t kDefaultAlignment = 32;
// whisper.cpp's container starts with the int32 0x67676d6c ("ggml"), little-endian.
constexpr char kGgmlMagic[4] = {'l', 'm', 'g', 'g'};
constexpr std::uint64_t kHeaderBytes = 4 + 4 + 8 + 8;
// The smallest possible records, used to bound counts before reserving memory:
// key (u64 length + 1 byte) + type (u32) + a 1-byte value.
constexpr std::uint64_t kMinKvBytes = 8 + 1 + 4 + 1;
// name (u64 length + 1 byte) + n_dims (u32) + type (u32) + offset (u64).
constexpr std::uint64_t kMinTensorInfoBytes = 8 + 1 + 4 + 4 + 8;
constexpr std::uint64_t kMaxSize =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

// Size of a scalar of this type id, 0 for strings and arrays, nullopt for an unknown id.
std::optional<std::uint64_t> scalar_size(std::uint32_t type) {
    switch (static_cast<ValueType>(type)) {
        case ValueType::U8:
        case ValueType::I8:
        case ValueType::Bool:
            return 1;
        case ValueType::U16:
        case ValueType::I16:
            return 2;
        case ValueType::U32:
        case ValueType::I32:
        case ValueType::F32:
            return 4;
        case ValueType::U64:
        case ValueType::I64:
        case ValueType::F64:
            return 8;
        case ValueType::String:
        case ValueType::Array:
            return 0;
    }
    return std::nullopt;
}

std::string range(std::uint64_t begin, std::uint64_t end) {
    // Appending (rather than "[" + ...) sidesteps a false -Wrestrict in GCC 12 at -O3.
    std::string out = "[";
    out += std::to_string(begin);
    out += ", ";
    out += std::to_string(end);
    out += ")";
    return out;
}

}  // namespace

class Parser {
  public:
    explicit Parser(File& file) : file_(file), bytes_(file.storage_->bytes) {}
    Parser(File& file, std::span<const std::byte> metadata) : file_(file), bytes_(metadata) {}

    void run() {
        read_header();
        read_metadata();
        read_alignment();
        read_tensor_infos();
        place_tensor_data();
    }

    void run_metadata() {
        read_header();
        read_metadata();
        read_alignment();
        if (n_tensors_ != 0) fail("assembled metadata lists tensors");
    }

  private:
    [[noreturn]] void fail(const std::string& problem) const {
        throw FormatError(file_.storage_->name + ": " + problem);
    }

    std::uint64_t remaining() const { return bytes_.size() - pos_; }

    // `what` describes the item for messages: a string, or a callable returning one, so that
    // hot loops (vocabularies of 100k strings) only build the text when something fails.
    template <class What>
    static std::string describe(const What& what) {
        if constexpr (std::is_invocable_v<const What&>) {
            return what();
        } else {
            return std::string(what);
        }
    }

    template <class What>
    const std::byte* take(std::uint64_t n, const What& what) {
        if (n > remaining()) {
            fail("truncated: " + describe(what) + " at offset " + std::to_string(pos_) + " needs " +
                 std::to_string(n) + " bytes but only " + std::to_string(remaining()) + " remain");
        }
        const std::byte* p = bytes_.data() + pos_;
        pos_ += n;
        return p;
    }

    template <class T, class What>
    T read(const What& what) {
        T v;
        std::memcpy(&v, take(sizeof(T), what), sizeof(T));
        return v;
    }

    template <class What>
    std::string_view read_string(const What& what) {
        const auto length = read<std::uint64_t>([&] { return "length of " + describe(what); });
        if (length > remaining()) {
            fail(describe(what) + " has length " + std::to_string(length) + " but only " +
                 std::to_string(remaining()) + " bytes remain in the file");
        }
        return {reinterpret_cast<const char*>(take(length, what)),
                static_cast<std::size_t>(length)};
    }

    void read_header() {
        if (bytes_.size() >= 4 && std::memcmp(bytes_.data(), kGgmlMagic, 4) == 0) {
            fail(
                "not a GGUF file but whisper.cpp's ggml format (a Whisper speech model, which "
                "prism-cli transcribe runs, or a Silero VAD model)");
        }
        if (bytes_.size() >= 4 && std::memcmp(bytes_.data(), "GGUF", 4) != 0) {
            fail("not a GGUF file (magic '" +
                 printable({reinterpret_cast<const char*>(bytes_.data()), 4}) +
                 "', expected 'GGUF')");
        }
        if (bytes_.size() < kHeaderBytes) {
            fail("truncated header: the file has " + std::to_string(bytes_.size()) +
                 " bytes, a GGUF header needs " + std::to_string(kHeaderBytes));
        }
        pos_ = 4;
        const auto version = read<std::uint32_t>("version");
        // A big-endian writer stores small version numbers in the high bytes.
        if (version != 0 && (version & 0xFFFFu) == 0) {
            fail("big-endian GGUF file (version field reads as " + std::to_string(version) +
                 "); only little-endian files are supported");
        }
        if (version == 1) fail("GGUF version 1 is not supported (supported: 2, 3)");
        if (version != 2 && version != 3) {
            fail("unsupported GGUF version " + std::to_string(version) + " (supported: 2, 3)");
        }
        file_.version_ = version;
        n_tensors_ = read<std::uint64_t>("tensor count");
        n_kv_ = read<std::uint64_t>("metadata count");
        if (n_kv_ > remaining() / kMinKvBytes) {
            fail("metadata count n_kv=" + std::to_string(n_kv_) + " cannot fit in the " +
                 std::to_string(remaining()) + " bytes after the header");
        }
        if (n_tensors_ > remaining() / kMinTensorInfoBytes) {
            fail("tensor count n_tensors=" + std::to_string(n_tensors_) + " cannot fit in the " +
                 std::to_string(remaining()) + " bytes after the header");
        }
    }

    void read_metadata() {
        file_.values_.reserve(static_cast<std::size_t>(n_kv_));
        for (std::uint64_t i = 0; i < n_kv_; ++i) {
            const auto key =
                read_string([&] { return "key of metadata entry " + std::to_string(i); });
            if (key.empty()) fail("metadata entry " + std::to_string(i) + " has an empty key");
            if (file_.value_index_.contains(key)) fail("duplicate key '" + printable(key) + "'");
            Value v;
            v.file_ = file_.storage_->name;
            v.key_ = key;
            read_value(v,
                       read<std::uint32_t>([&] { return "type of key '" + printable(key) + "'"; }));
            file_.value_index_.emplace(key, file_.values_.size());
            file_.values_.push_back(std::move(v));
        }
    }

    void read_value(Value& v, std::uint32_t type) {
        const std::string key = "key '" + printable(v.key_) + "'";
        const auto size = scalar_size(type);
        if (!size) fail(key + " has unknown value type " + std::to_string(type));
        v.type_ = static_cast<ValueType>(type);
        if (v.type_ == ValueType::String) {
            const auto s = read_string("string value of " + key);
            v.data_ = reinterpret_cast<const std::byte*>(s.data());
            v.bytes_ = s.size();
        } else if (v.type_ == ValueType::Array) {
            read_array(v, key);
        } else {
            v.data_ = take(*size, "value of " + key);
        }
    }

    void read_array(Value& v, const std::string& key) {
        const auto element = read<std::uint32_t>("element type of " + key);
        const auto size = scalar_size(element);
        if (!size) fail(key + " is an array of unknown value type " + std::to_string(element));
        if (static_cast<ValueType>(element) == ValueType::Array) {
            fail(key + " is an array of arrays; nested arrays are not supported");
        }
        v.element_type_ = static_cast<ValueType>(element);
        v.count_ = read<std::uint64_t>("array length of " + key);
        const bool strings = v.element_type_ == ValueType::String;
        // A string element takes at least its 8-byte length.
        const std::uint64_t min_element = strings ? 8 : *size;
        if (v.count_ > remaining() / min_element) {
            fail(key + " has an array length of " + std::to_string(v.count_) + " " +
                 std::string(value_type_name(v.element_type_)) + " elements, more than the " +
                 std::to_string(remaining()) + " bytes left in the file can hold");
        }
        v.data_ = bytes_.data() + pos_;
        if (!strings) {
            take(v.count_ * *size, "elements of " + key);
            return;
        }
        v.strings_.reserve(static_cast<std::size_t>(v.count_));
        for (std::uint64_t i = 0; i < v.count_; ++i) {
            v.strings_.push_back(
                read_string([&] { return "element " + std::to_string(i) + " of " + key; }));
        }
    }

    void read_alignment() {
        const Value* v = file_.find("general.alignment");
        if (v == nullptr) {
            file_.alignment_ = kDefaultAlignment;
            return;
        }
        if (v->type() != ValueType::U32) {
            fail("general.alignment must be u32, found " +
                 std::string(v->is_array() ? "array" : value_type_name(v->type())));
        }
        const auto alignment = v->as<std::uint32_t>();
        if (!std::has_single_bit(alignment)) {
            fail("general.alignment " + std::to_string(alignment) + " is not a power of two");
        }
        file_.alignment_ = alignment;
    }

    void read_tensor_infos() {
        file_.tensors_.reserve(static_cast<std::size_t>(n_tensors_));
        for (std::uint64_t i = 0; i < n_tensors_; ++i) {
            const auto name = read_string("name of tensor " + std::to_string(i));
            if (name.empty()) fail("tensor " + std::to_string(i) + " has an empty name");
            const std::string label = "tensor '" + printable(name) + "'";
            if (file_.tensor_index_.contains(name)) fail("duplicate " + label);

            TensorInfo t{};
            t.name = name;
            t.n_dims = read<std::uint32_t>("dimension count of " + label);
            if (t.n_dims > 4) {
                fail(label + " has " + std::to_string(t.n_dims) + " dimensions (at most 4)");
            }
            t.ne = {1, 1, 1, 1};
            std::uint64_t elements = 1;
            for (std::uint32_t d = 0; d < t.n_dims; ++d) {
                const auto n =
                    read<std::int64_t>("dimension " + std::to_string(d) + " of " + label);
                if (n <= 0) {
                    fail(label + " dimension " + std::to_string(d) + " is " + std::to_string(n) +
                         " (must be positive)");
                }
                t.ne[d] = static_cast<std::uint64_t>(n);
                if (elements > kMaxSize / t.ne[d]) fail(label + " element count overflows");
                elements *= t.ne[d];
            }

            const auto type_id = read<std::uint32_t>("type of " + label);
            const auto type = find_tensor_type(type_id);
            if (!type) fail(label + " has unknown tensor type id " + std::to_string(type_id));
            t.type = type->type;
            if (t.ne[0] % type->block_elements != 0) {
                fail(label + " row length ne[0]=" + std::to_string(t.ne[0]) +
                     " is not a multiple of the " + std::string(type->name) + " block size " +
                     std::to_string(type->block_elements));
            }
            // elements <= 2^63 and block_bytes/block_elements is small, but guard anyway.
            const std::uint64_t blocks = elements / type->block_elements;
            if (blocks > kMaxSize / type->block_bytes) fail(label + " byte size overflows");
            t.n_bytes = blocks * type->block_bytes;

            t.offset = read<std::uint64_t>("data offset of " + label);
            if (t.offset % file_.alignment_ != 0) {
                fail(label + " data offset " + std::to_string(t.offset) +
                     " is not a multiple of the alignment " + std::to_string(file_.alignment_));
            }
            file_.tensor_index_.emplace(name, file_.tensors_.size());
            file_.tensors_.push_back(t);
        }
    }

    void place_tensor_data() {
        const std::uint64_t size = bytes_.size();
        std::uint64_t start = pos_;
        if (n_tensors_ > 0)
            start = (pos_ + file_.alignment_ - 1) / file_.alignment_ * file_.alignment_;
        if (start > size) {
            fail("tensor data section starts at " + std::to_string(start) +
                 ", past the end of the file (size " + std::to_string(size) + ")");
        }
        file_.data_offset_ = start;
        for (auto& t : file_.tensors_) {
            const std::string label = "tensor '" + printable(t.name) + "'";
            if (t.offset > size - start) {
                fail(label + " data offset " + std::to_string(t.offset) +
                     " lies past the end of the file (data section " + range(start, size) + ")");
            }
            t.file_offset = start + t.offset;
            // Both terms are below 2^63, so the sum cannot wrap.
            const std::uint64_t end = t.file_offset + t.n_bytes;
            if (end > size) {
                fail(label + " data " + range(t.file_offset, end) +
                     " lies past the end of the file (size " + std::to_string(size) + ")");
            }
            t.data = bytes_.subspan(static_cast<std::size_t>(t.file_offset),
                                    static_cast<std::size_t>(t.n_bytes));
        }
        check_overlaps();
    }

    void check_overlaps() const {
        std::vector<const TensorInfo*> order;
        order.reserve(file_.tensors_.size());
        for (const auto& t : file_.tensors_) order.push_back(&t);
        std::sort(order.begin(), order.end(), [](const TensorInfo* a, const TensorInfo* b) {
            return a->file_offset < b->file_offset;
        });
        for (std::size_t i = 1; i < order.size(); ++i) {
            const auto& a = *order[i - 1];
            const auto& b = *order[i];
            if (b.file_offset < a.file_offset + a.n_bytes) {
                fail("tensors '" + printable(a.name) + "' " +
                     range(a.file_offset, a.file_offset + a.n_bytes) + " and '" +
                     printable(b.name) + "' " + range(b.file_offset, b.file_offset + b.n_bytes) +
                     " overlap");
            }
        }
    }

    File& file_;
    std::span<const std::byte> bytes_;
    std::uint64_t pos_ = 0;
    std::uint64_t n_tensors_ = 0;
    std::uint64_t n_kv_ = 0;
};

File::File() : storage_(std::make_unique<Storage>()) {}
File::File(File&&) noexcept = default;
File& File::operator=(File&&) noexcept = default;
File::~File() = default;

File File::open_single(const std::filesystem::path& path) {
    File f;
    f.storage_->name = path.string();
    f.storage_->map = MappedFile(path);
    f.storage_->bytes = f.storage_->map.bytes();
    Parser(f).run();
    return f;
}

void parse_metadata(File& file, std::span<const std::byte> metadata) {
    Parser(file, metadata).run_metadata();
}

File File::from_bytes(std::span<const std::byte> bytes, std::string name) {
    File f;
    f.storage_->name = std::move(name);
    f.storage_->owned.assign(bytes.begin(), bytes.end());
    f.storage_->bytes = f.storage_->owned;
    Parser(f).run();
    return f;
}

}  // namespace prism::gguf
