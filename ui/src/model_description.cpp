#include "model_description.hpp"

#include <QFileInfo>
#include <algorithm>
#include <cstdint>
#include <string>

#include "prism/gguf.hpp"
#include "prism/tensor_type.hpp"

namespace prism::ui {
namespace {

bool flag(const gguf::File& f, const std::string& key) {
    const gguf::Value* v = f.find(key);
    return v != nullptr && v->type() == gguf::ValueType::Bool && v->as<bool>();
}

// Older converters did not write clip.has_*_encoder; their per-encoder keys still tell.
bool has_encoder(const gguf::File& f, const std::string& kind) {
    if (f.contains("clip.has_" + kind + "_encoder")) return flag(f, "clip.has_" + kind + "_encoder");
    return f.contains("clip." + kind + ".block_count");
}

// The weight type holding most bytes names the quantization ("Q4_K" even when norms are F32).
QString dominant_type(const gguf::File& f) {
    const auto histogram = f.type_histogram();
    const auto it = std::max_element(histogram.begin(), histogram.end(),
                                     [](const auto& a, const auto& b) { return a.bytes < b.bytes; });
    if (it == histogram.end()) return QStringLiteral("-");
    return QString::fromStdString(std::string(tensor_type_name(it->type)));
}

}  // namespace

ModelDescription describe_model(const QString& path, const QString& mmproj_path) {
    const gguf::File f = gguf::File::open(path.toStdString());
    ModelDescription d;
    d.path = path;
    d.file_bytes = static_cast<qint64>(f.file_size());
    const std::string arch = f.get_or<std::string>("general.architecture", "unknown");
    d.architecture = QString::fromStdString(arch);
    d.name = QString::fromStdString(f.get_or<std::string>("general.name", ""));
    if (d.name.isEmpty()) d.name = QFileInfo(path).completeBaseName();
    d.quantization = dominant_type(f);
    if (const gguf::Value* v = f.find(arch + ".context_length"); v != nullptr) {
        d.context_length = static_cast<qint64>(v->as_integer<std::int64_t>());
    }
    if (!mmproj_path.isEmpty()) {
        const gguf::File projector = gguf::File::open(mmproj_path.toStdString());
        d.mmproj_path = mmproj_path;
        d.has_vision = has_encoder(projector, "vision");
        d.has_audio = has_encoder(projector, "audio");
    }
    return d;
}

QString format_bytes(qint64 bytes) {
    const double b = static_cast<double>(bytes);
    if (b >= 1024.0 * 1024 * 1024) return QStringLiteral("%1 GiB").arg(b / (1 << 30), 0, 'f', 2);
    if (b >= 1024.0 * 1024) return QStringLiteral("%1 MiB").arg(b / (1 << 20), 0, 'f', 1);
    if (b >= 1024.0) return QStringLiteral("%1 KiB").arg(b / 1024, 0, 'f', 1);
    return QStringLiteral("%1 bytes").arg(bytes);
}

}  // namespace prism::ui
