#include "hub/fit_estimate.hpp"

#include <QHash>
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>

namespace prism::ui {

namespace {

// GGUF value types (gguf.md): sizes of the fixed-size ones; 8 = string, 9 = array.
std::optional<std::uint64_t> fixed_size(std::uint32_t type) {
    switch (type) {
        case 0:
        case 1:
        case 7:
            return 1;
        case 2:
        case 3:
            return 2;
        case 4:
        case 5:
        case 6:
            return 4;
        case 10:
        case 11:
        case 12:
            return 8;
        default:
            return std::nullopt;
    }
}

class PrefixReader {
  public:
    explicit PrefixReader(const QByteArray& bytes) : bytes_(bytes) {}
    bool has(std::uint64_t n) const {
        return n <= static_cast<std::uint64_t>(bytes_.size()) - pos_;
    }
    template <class T>
    bool read(T& value) {
        if (!has(sizeof(T))) return false;
        std::memcpy(&value, bytes_.constData() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return true;
    }
    bool skip(std::uint64_t n) {
        if (!has(n)) return false;
        pos_ += n;
        return true;
    }
    bool read_string(QByteArray& out) {
        std::uint64_t length = 0;
        if (!read(length) || !has(length)) return false;
        out = bytes_.mid(static_cast<qsizetype>(pos_), static_cast<qsizetype>(length));
        pos_ += length;
        return true;
    }

  private:
    const QByteArray& bytes_;
    std::uint64_t pos_ = 0;
};

}  // namespace

ProbeResult probe_gguf_kv_shape(const QByteArray& prefix, KvShape& shape, QString& error) {
    PrefixReader in(prefix);
    std::uint32_t magic = 0, version = 0;
    std::uint64_t n_tensors = 0, n_kv = 0;
    if (!in.read(magic)) return ProbeResult::NeedMoreBytes;
    if (magic != 0x46554747u) {  // "GGUF" little-endian
        error = QStringLiteral("not a GGUF file");
        return ProbeResult::NotGguf;
    }
    if (!in.read(version) || !in.read(n_tensors) || !in.read(n_kv))
        return ProbeResult::NeedMoreBytes;
    if (version < 2 || version > 3) {
        error = QStringLiteral("GGUF version %1 (2 or 3 expected)").arg(version);
        return ProbeResult::NotGguf;
    }
    QByteArray arch;
    QHash<QByteArray, std::uint64_t> integers;
    QHash<QByteArray, std::int64_t> true_flags;  // bool arrays: how many entries are true
    for (std::uint64_t i = 0; i < n_kv; ++i) {
        QByteArray key;
        std::uint32_t type = 0;
        if (!in.read_string(key) || !in.read(type)) return ProbeResult::NeedMoreBytes;
        if (type == 8) {
            QByteArray text;
            if (!in.read_string(text)) return ProbeResult::NeedMoreBytes;
            if (key == "general.architecture") arch = text;
        } else if (type == 9) {
            std::uint32_t item_type = 0;
            std::uint64_t count = 0;
            if (!in.read(item_type) || !in.read(count)) return ProbeResult::NeedMoreBytes;
            if (item_type == 8) {
                for (std::uint64_t j = 0; j < count; ++j) {
                    std::uint64_t length = 0;
                    if (!in.read(length) || !in.skip(length)) return ProbeResult::NeedMoreBytes;
                }
            } else if (item_type == 7) {
                if (!in.has(count)) return ProbeResult::NeedMoreBytes;
                std::int64_t set = 0;
                for (std::uint64_t j = 0; j < count; ++j) {
                    std::uint8_t flag = 0;
                    in.read(flag);
                    set += flag != 0 ? 1 : 0;
                }
                true_flags.insert(key, set);
            } else if (const auto size = fixed_size(item_type)) {
                if (count > std::numeric_limits<std::uint64_t>::max() / *size) {
                    error = QStringLiteral("array '%1' is too long").arg(QString::fromUtf8(key));
                    return ProbeResult::NotGguf;
                }
                if (!in.skip(count * *size)) return ProbeResult::NeedMoreBytes;
            } else {
                error = QStringLiteral("array '%1' has item type %2")
                            .arg(QString::fromUtf8(key))
                            .arg(item_type);
                return ProbeResult::NotGguf;
            }
        } else if (const auto size = fixed_size(type)) {
            std::uint64_t value = 0;
            if (type == 4 || type == 5) {
                std::uint32_t v32 = 0;
                if (!in.read(v32)) return ProbeResult::NeedMoreBytes;
                value = v32;
            } else if (type == 10 || type == 11) {
                if (!in.read(value)) return ProbeResult::NeedMoreBytes;
            } else if (!in.skip(*size)) {
                return ProbeResult::NeedMoreBytes;
            }
            integers.insert(key, value);
        } else {
            error = QStringLiteral("key '%1' has type %2").arg(QString::fromUtf8(key)).arg(type);
            return ProbeResult::NotGguf;
        }
    }
    auto get = [&](const char* suffix) -> std::int64_t {
        const auto it = integers.constFind(arch + suffix);
        return it == integers.constEnd() ? 0 : static_cast<std::int64_t>(*it);
    };
    shape.n_layer = get(".block_count");
    const std::int64_t heads = get(".attention.head_count");
    shape.n_head_kv = get(".attention.head_count_kv");
    if (shape.n_head_kv == 0) shape.n_head_kv = heads;
    shape.head_dim = get(".attention.key_length");
    if (shape.head_dim == 0 && heads > 0) shape.head_dim = get(".embedding_length") / heads;
    if (!shape.valid()) {
        error = QStringLiteral("no layer count or attention heads for architecture '%1'")
                    .arg(QString::fromUtf8(arch));
        return ProbeResult::NotGguf;
    }
    shape.sliding_window = get(".attention.sliding_window");
    if (shape.sliding_window > 0) {
        const QByteArray pattern = arch + ".attention.sliding_window_pattern";
        if (true_flags.contains(pattern)) {
            shape.sliding_layers = std::min(true_flags.value(pattern), shape.n_layer);
        } else {
            // A period p: every p-th layer is global (0: all slide).
            const std::int64_t period =
                integers.contains(pattern) ? get(".attention.sliding_window_pattern") : 6;
            shape.sliding_layers =
                period == 0 ? shape.n_layer : shape.n_layer - shape.n_layer / period;
        }
    }
    return ProbeResult::Done;
}

std::uint64_t kv_cache_bytes(const KvShape& shape, std::int64_t context,
                             std::int64_t prefill_chunk) {
    if (!shape.valid() || context <= 0) return 0;
    const std::int64_t sliding = shape.sliding_window > 0 ? shape.sliding_layers : 0;
    const std::int64_t ring = std::min(
        context, shape.sliding_window + std::clamp<std::int64_t>(prefill_chunk, 1, context) - 1);
    const auto rows =
        static_cast<std::uint64_t>(shape.n_layer - sliding) * static_cast<std::uint64_t>(context) +
        static_cast<std::uint64_t>(sliding) * static_cast<std::uint64_t>(ring);
    return std::uint64_t{2} * static_cast<std::uint64_t>(shape.n_head_kv) *
           static_cast<std::uint64_t>(shape.head_dim) * rows * 2;  // f16
}

FitEstimate estimate_fit(std::uint64_t weights, std::uint64_t mmproj, const KvShape& shape,
                         std::int64_t context, std::uint64_t device_bytes) {
    FitEstimate fit;
    fit.needed = weights + mmproj + kv_cache_bytes(shape, context);
    fit.fits = device_bytes > 0 && fit.needed <= device_bytes;
    return fit;
}

}  // namespace prism::ui
