#include "hub/gguf_file_names.hpp"

#include <QFileInfo>
#include <QRegularExpression>
#include <algorithm>

namespace prism::ui {

QString quant_label(const QString& file_name) {
    // The tag stands between separators; the last match wins ("Q4_0-Q8_0" is unusual, but
    // the tag llama.cpp appends comes last).
    static const QRegularExpression tag(
        QStringLiteral("(?:^|[-._])((?:I|T)?Q[1-8](?:_[0-9A-Z]+)*|BF16|F16|F32|FP16|FP32)"
                       "(?=[-._]|$)"),
        QRegularExpression::CaseInsensitiveOption);
    const QString base = QFileInfo(file_name).completeBaseName();
    QString label;
    for (auto it = tag.globalMatch(base); it.hasNext();) label = it.next().captured(1).toUpper();
    if (label == QLatin1String("FP16")) return QStringLiteral("F16");
    if (label == QLatin1String("FP32")) return QStringLiteral("F32");
    return label;
}

bool is_mmproj_name(const QString& file_name) {
    return QFileInfo(file_name).fileName().contains(QLatin1String("mmproj"), Qt::CaseInsensitive);
}

bool split_part(const QString& file_name, int& part, int& parts) {
    static const QRegularExpression split(QStringLiteral("-(\\d{5})-of-(\\d{5})\\.gguf$"),
                                          QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = split.match(file_name);
    if (!match.hasMatch()) return false;
    part = match.captured(1).toInt();
    parts = match.captured(2).toInt();
    return parts > 0 && part >= 1 && part <= parts;
}

qint64 HubModelFiles::size() const {
    qint64 total = 0;
    for (const HubFile& f : files) total += f.size;
    return total;
}

QList<HubModelFiles> group_split_models(const QList<HubFile>& files) {
    QList<HubModelFiles> models;
    QList<QString> stems;  // per entry: the split name without its part suffix, or empty
    for (const HubFile& file : files) {
        int part = 0, parts = 0;
        if (!split_part(file.path, part, parts)) {
            models.append({{file}, 1});
            stems.append(QString());
            continue;
        }
        const QString stem =
            file.path.left(file.path.size() - QStringLiteral("-00001-of-00001.gguf").size()) +
            QStringLiteral("/") + QString::number(parts);
        const qsizetype at = stems.indexOf(stem);
        if (at < 0) {
            models.append({{file}, parts});
            stems.append(stem);
        } else {
            models[at].files.append(file);
        }
    }
    for (HubModelFiles& model : models) {
        if (model.parts == 1) continue;
        std::sort(model.files.begin(), model.files.end(), [](const HubFile& a, const HubFile& b) {
            return a.path < b.path;  // the five-digit part numbers sort as text
        });
        // A part listed twice would make a listing look complete while one is missing.
        model.files.erase(
            std::unique(model.files.begin(), model.files.end(),
                        [](const HubFile& a, const HubFile& b) { return a.path == b.path; }),
            model.files.end());
    }
    return models;
}

QString matching_mmproj(const QList<HubFile>& files) {
    auto rank = [](const QString& path) {
        const QString label = quant_label(path);
        if (label == QLatin1String("F16")) return 0;
        if (label == QLatin1String("BF16")) return 1;
        if (label == QLatin1String("F32")) return 2;
        return 3;
    };
    QList<QString> projectors;
    for (const HubFile& file : files)
        if (is_mmproj_name(file.path)) projectors.append(file.path);
    if (projectors.isEmpty()) return {};
    std::sort(projectors.begin(), projectors.end(), [&](const QString& a, const QString& b) {
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
    });
    return projectors.front();
}

}  // namespace prism::ui
