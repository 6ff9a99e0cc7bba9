#include "data/model_inspector.hpp"

#include <QFileInfo>
#include <algorithm>
#include <array>
#include <exception>
#include <string>
#include <string_view>

#include "prism/gguf.hpp"

namespace prism::ui {
namespace {

QString qstr(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

bool is_integer(gguf::ValueType t) {
    using T = gguf::ValueType;
    return t == T::U8 || t == T::I8 || t == T::U16 || t == T::I16 || t == T::U32 || t == T::I32 ||
           t == T::U64 || t == T::I64;
}

// Optional keys of the wrong type are treated as absent: a sloppy converter should not make a
// model unusable in the list.
QString text_or_empty(const gguf::File& f, std::string_view key) {
    const gguf::Value* v = f.find(key);
    if (v == nullptr || v->type() != gguf::ValueType::String) return {};
    return qstr(v->as<std::string_view>());
}

qint64 integer_or_zero(const gguf::File& f, std::string_view key) {
    const gguf::Value* v = f.find(key);
    if (v == nullptr || !is_integer(v->type())) return 0;
    try {
        return v->as_integer<qint64>();
    } catch (const std::exception&) {
        return 0;
    }
}

std::optional<bool> flag(const gguf::File& f, std::string_view key) {
    const gguf::Value* v = f.find(key);
    if (v == nullptr || v->type() != gguf::ValueType::Bool) return std::nullopt;
    return v->as<bool>();
}

bool has_tensor_prefix(const gguf::File& f, std::string_view prefix) {
    return std::any_of(f.tensors().begin(), f.tensors().end(),
                       [&](const gguf::TensorInfo& t) { return t.name.starts_with(prefix); });
}

// The projector's output width from its last layer, per projector family (mtmd's
// clip_n_mmproj_embd).
qint64 projection_width_from_tensors(const gguf::File& f) {
    struct Probe {
        std::string_view tensor;
        int dim;
    };
    static constexpr std::array probes = {
        Probe{"mm.model.fc.weight", 1},          // idefics3 (SmolVLM)
        Probe{"mm.input_projection.weight", 0},  // gemma3
        Probe{"mm.2.bias", 0},                   // qwen2-vl mergers
        Probe{"mm.2.weight", 1},                 // llava mlp
        Probe{"mm.a.mlp.2.weight", 1},           // ultravox, voxtral
        Probe{"mm.a.fc.weight", 1},              // qwen2-audio
    };
    for (const Probe& p : probes)
        if (const gguf::TensorInfo* t = f.find_tensor(p.tensor))
            return static_cast<qint64>(t->ne[p.dim]);
    return 0;
}

QString commonest_tensor_type(const gguf::File& f) {
    const auto histogram = f.type_histogram();
    const auto best = std::max_element(
        histogram.begin(), histogram.end(),
        [](const gguf::TypeCount& a, const gguf::TypeCount& b) { return a.elements < b.elements; });
    return best == histogram.end() ? QString() : qstr(tensor_type_name(best->type)).toUpper();
}

void read_header(const gguf::File& f, ModelInfo& info) {
    info.architecture = text_or_empty(f, "general.architecture");
    // Some converters write the architecture as the name ("llama"); the file name says more.
    const QString general_name = text_or_empty(f, "general.name").simplified();
    if (!general_name.isEmpty() &&
        general_name.compare(info.architecture, Qt::CaseInsensitive) != 0)
        info.name = general_name;
    const qint64 file_type = integer_or_zero(f, "general.file_type");
    if (f.contains("general.file_type"))
        info.quantization = file_type_name(static_cast<quint32>(file_type));
    if (info.quantization.isEmpty()) info.quantization = commonest_tensor_type(f);

    const std::string arch = info.architecture.toStdString();
    info.is_mmproj = arch == "clip" || text_or_empty(f, "general.type") == QLatin1String("mmproj");
    if (!info.is_mmproj) {
        info.context_length = integer_or_zero(f, arch + ".context_length");
        info.embedding_length = integer_or_zero(f, arch + ".embedding_length");
        return;
    }
    info.projector_type = text_or_empty(f, "clip.projector_type");
    if (info.projector_type.isEmpty()) {
        QStringList parts;
        for (const char* key : {"clip.vision.projector_type", "clip.audio.projector_type"})
            if (const QString t = text_or_empty(f, key); !t.isEmpty()) parts << t;
        info.projector_type = parts.join(QLatin1Char('+'));
    }
    info.has_vision = flag(f, "clip.has_vision_encoder").value_or(has_tensor_prefix(f, "v."));
    info.has_audio = flag(f, "clip.has_audio_encoder").value_or(has_tensor_prefix(f, "a."));
    // The tensors decide, as they do for llama.cpp: old converters wrote the vision tower's
    // own projection width (CLIP's 512 or 768) into clip.vision.projection_dim.
    info.projection_width = projection_width_from_tensors(f);
    if (info.projection_width == 0)
        info.projection_width = integer_or_zero(f, "clip.vision.projection_dim");
    if (info.projection_width == 0)
        info.projection_width = integer_or_zero(f, "clip.audio.projection_dim");
}

}  // namespace

QString file_type_name(quint32 file_type) {
    // llama.h's llama_ftype (gaps are retired numbers).
    static const std::array<const char*, 39> names = {
        "F32",    "F16",    "Q4_0",  "Q4_1",    "",       "",       "",         "Q8_0",
        "Q5_0",   "Q5_1",   "Q2_K",  "Q3_K_S",  "Q3_K_M", "Q3_K_L", "Q4_K_S",   "Q4_K_M",
        "Q5_K_S", "Q5_K_M", "Q6_K",  "IQ2_XXS", "IQ2_XS", "Q2_K_S", "IQ3_XS",   "IQ3_XXS",
        "IQ1_S",  "IQ4_NL", "IQ3_S", "IQ3_M",   "IQ2_S",  "IQ2_M",  "IQ4_XS",   "IQ1_M",
        "BF16",   "",       "",      "",        "TQ1_0",  "TQ2_0",  "MXFP4_MOE"};
    return file_type < names.size() ? QString::fromLatin1(names[file_type]) : QString();
}

int projector_precision_rank(const QString& quantization) {
    const QString q = quantization.toUpper();
    if (q == QLatin1String("F16")) return 100;
    if (q == QLatin1String("BF16")) return 99;
    if (q == QLatin1String("F32")) return 98;
    // Quantized: by the digit after Q/IQ (Q8_0 over Q6_K over Q4_K_M ...).
    for (qsizetype i = 0; i < q.size(); ++i)
        if (q[i].isDigit())
            return 10 * q[i].digitValue() + (q.startsWith(QLatin1String("IQ")) ? 0 : 1);
    return 0;
}

ModelInfo inspect_model_file(const QString& path) {
    ModelInfo info;
    const QFileInfo file(path);
    info.path = file.absoluteFilePath();
    info.file_name = file.fileName();
    info.name = file.completeBaseName();
    if (info.name.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) info.name.chop(5);
    // A split model is named without its shard suffix ("-00001-of-00003").
    if (const auto split = gguf::parse_split_name(info.file_name.toStdString()))
        info.name = QString::fromStdString(split->prefix);
    info.size_bytes = file.size();
    try {
        const gguf::File f = gguf::File::open(info.path.toStdString());
        info.size_bytes = static_cast<qint64>(f.file_size());
        read_header(f, info);
    } catch (const std::exception& e) {
        info.broken = true;
        info.error = QString::fromUtf8(e.what());
    } catch (...) {
        info.broken = true;
        info.error = QStringLiteral("%1: unreadable GGUF file").arg(info.path);
    }
    return info;
}

}  // namespace prism::ui
