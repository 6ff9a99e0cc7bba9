#include "model_description.hpp"

#include "data/mmproj_pairing.hpp"
#include "data/model_inspector.hpp"

namespace prism::ui {

ModelDescription describe_model(const QString& path, const QString& mmproj_path) {
    const ModelInfo info = inspect_model_file(path);
    ModelDescription d;
    d.path = path;
    d.name = info.name;
    d.architecture = info.architecture;
    d.quantization = info.quantization;
    d.file_bytes = info.size_bytes;
    d.context_length = info.context_length;
    d.mmproj_path = mmproj_path.isEmpty() && !info.broken ? pair_mmproj(info).path : mmproj_path;
    if (!d.mmproj_path.isEmpty()) {
        const ModelInfo projector = inspect_model_file(d.mmproj_path);
        d.has_vision = !projector.broken && projector.has_vision;
        d.has_audio = !projector.broken && projector.has_audio;
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

QString format_media_duration(double seconds) {
    const qint64 whole = seconds > 0 ? qRound64(seconds) : 0;
    const QString ss = QStringLiteral("%1").arg(whole % 60, 2, 10, QLatin1Char('0'));
    if (whole < 3600) return QStringLiteral("%1:%2").arg(whole / 60).arg(ss);
    return QStringLiteral("%1:%2:%3")
        .arg(whole / 3600)
        .arg((whole / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(ss);
}

}  // namespace prism::ui
