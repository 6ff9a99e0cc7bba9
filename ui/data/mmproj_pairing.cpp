#include "data/mmproj_pairing.hpp"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <algorithm>
#include <tuple>

#include "data/model_inspector.hpp"

namespace prism::ui {
namespace {

int shared_words(const QStringList& a, const QStringList& b) {
    int n = 0;
    for (const QString& w : a)
        if (b.contains(w)) ++n;
    return n;
}

bool looks_like_projector_name(const QString& file_name) {
    return file_name.startsWith(QLatin1String("mmproj"), Qt::CaseInsensitive);
}

}  // namespace

QStringList model_name_words(const QString& file_name) {
    static const QRegularExpression precision(
        QStringLiteral(
            "(^|[-_. "
            "])(f16|f32|bf16|fp16|fp32|i?q[0-9][a-z0-9_]*|tq[0-9]_[0-9]|mxfp4[a-z_]*)(?=$|[-. ])"),
        QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression separators(QStringLiteral("[-_. ]+"));
    QString name = file_name.toLower();
    if (name.endsWith(QLatin1String(".gguf"))) name.chop(5);
    name.replace(precision, QStringLiteral("\\1"));
    QStringList words;
    for (const QString& w : name.split(separators, Qt::SkipEmptyParts))
        if (w != QLatin1String("mmproj") && w != QLatin1String("model") && !words.contains(w))
            words << w;
    return words;
}

MmprojChoice choose_mmproj(const ModelInfo& text, const std::vector<ModelInfo>& candidates) {
    if (text.broken) return {{}, QStringLiteral("The model file cannot be read.")};
    if (text.is_mmproj)
        return {{}, QStringLiteral("%1 is itself a projector.").arg(text.file_name)};
    if (text.embedding_length <= 0)
        return {{},
                QStringLiteral("%1 does not state its embedding width, so no projector can be "
                               "matched to it.")
                    .arg(text.file_name)};
    const QStringList model_words = model_name_words(text.file_name);
    const ModelInfo* best = nullptr;
    std::tuple<int, int> best_key{-1, -1};
    QStringList misfits;
    int projectors = 0;
    for (const ModelInfo& c : candidates) {
        if (c.path == text.path) continue;
        if (c.broken && looks_like_projector_name(c.file_name)) {
            misfits << QStringLiteral("%1 cannot be read").arg(c.file_name);
            ++projectors;
            continue;
        }
        if (!c.is_mmproj || c.broken) continue;
        ++projectors;
        if (c.projection_width != text.embedding_length) {
            misfits << QStringLiteral("%1 gives %2").arg(c.file_name).arg(c.projection_width);
            continue;
        }
        const std::tuple key{shared_words(model_words, model_name_words(c.file_name)),
                             projector_precision_rank(c.quantization)};
        if (best == nullptr || key > best_key ||
            (key == best_key && c.file_name < best->file_name)) {
            best = &c;
            best_key = key;
        }
    }
    if (best != nullptr)
        return {best->path, QStringLiteral("%1 produces %2-wide embeddings, as %3 needs.")
                                .arg(best->file_name)
                                .arg(text.embedding_length)
                                .arg(text.file_name)};
    if (projectors == 0)
        return {{},
                QStringLiteral("There is no projector (mmproj*.gguf) beside %1, so it can only "
                               "read text.")
                    .arg(text.file_name)};
    return {{},
            QStringLiteral("No projector beside %1 fits it: it needs %2-wide embeddings, but %3.")
                .arg(text.file_name)
                .arg(text.embedding_length)
                .arg(misfits.join(QStringLiteral(", ")))};
}

MmprojChoice pair_mmproj(const ModelInfo& text_model) {
    const QDir folder = QFileInfo(text_model.path).absoluteDir();
    std::vector<ModelInfo> candidates;
    const QFileInfoList files = folder.entryInfoList(
        {QStringLiteral("*.gguf"), QStringLiteral("*.GGUF")}, QDir::Files, QDir::Name);
    for (const QFileInfo& f : files) {
        if (f.absoluteFilePath() == text_model.path) continue;
        // Opening maps the file and reads its header only, so a folder of large text models
        // costs little.
        ModelInfo info = inspect_model_file(f.absoluteFilePath());
        if (info.is_mmproj || looks_like_projector_name(f.fileName()))
            candidates.push_back(std::move(info));
    }
    return choose_mmproj(text_model, candidates);
}

MmprojChoice pair_mmproj(const QString& text_model_path) {
    return pair_mmproj(inspect_model_file(text_model_path));
}

}  // namespace prism::ui
