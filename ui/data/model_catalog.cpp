#include "data/model_catalog.hpp"

#include <QDir>
#include <QFileInfo>
#include <QThread>
#include <map>

#include "data/mmproj_pairing.hpp"
#include "data/model_folders.hpp"
#include "data/model_inspector.hpp"
#include "prism/gguf.hpp"

namespace prism::ui {
namespace {

void pair_text_model(ModelInfo& model, const std::vector<ModelInfo>& candidates) {
    const MmprojChoice choice = choose_mmproj(model, candidates);
    model.mmproj_path = choice.path;
    model.pairing_note = choice.reason;
    model.has_vision = false;
    model.has_audio = false;
    for (const ModelInfo& c : candidates) {
        if (c.path != choice.path) continue;
        model.has_vision = c.has_vision;
        model.has_audio = c.has_audio;
    }
}

// A split model is listed once, by its first shard, which opens the whole set; a later shard
// is listed on its own only when the first is not there, to show what is missing.
bool later_shard_of_a_listed_model(const QString& path) {
    const auto split = gguf::parse_split_name(path.toStdString());
    if (!split || split->part == 1) return false;
    return QFileInfo::exists(
        QString::fromStdString(gguf::split_path(split->prefix, 1, split->parts)));
}

}  // namespace

std::vector<ModelInfo> scan_model_folders(const QStringList& folders,
                                          const std::atomic<bool>* cancel) {
    std::vector<ModelInfo> models;
    for (const QString& path : find_gguf_files(folders)) {
        if (cancel != nullptr && cancel->load()) break;
        if (later_shard_of_a_listed_model(path)) continue;
        models.push_back(inspect_model_file(path));
    }
    // Pair within each folder, from the headers already read.
    std::map<QString, std::vector<ModelInfo>> by_folder;
    for (const ModelInfo& m : models) by_folder[QFileInfo(m.path).absolutePath()].push_back(m);
    for (ModelInfo& m : models)
        if (!m.is_mmproj && !m.broken)
            pair_text_model(m, by_folder[QFileInfo(m.path).absolutePath()]);
    return models;
}

QVariantMap to_variant(const ModelInfo& m) {
    return {{QStringLiteral("name"), m.name},
            {QStringLiteral("path"), m.path},
            {QStringLiteral("fileName"), m.file_name},
            {QStringLiteral("architecture"), m.architecture},
            {QStringLiteral("quantization"), m.quantization},
            {QStringLiteral("sizeBytes"), m.size_bytes},
            {QStringLiteral("contextLength"), m.context_length},
            {QStringLiteral("embeddingLength"), m.embedding_length},
            {QStringLiteral("isProjector"), m.is_mmproj},
            {QStringLiteral("projectorType"), m.projector_type},
            {QStringLiteral("projectionWidth"), m.projection_width},
            {QStringLiteral("hasVision"), m.has_vision},
            {QStringLiteral("hasAudio"), m.has_audio},
            {QStringLiteral("mmprojPath"), m.mmproj_path},
            {QStringLiteral("pairingNote"), m.pairing_note},
            {QStringLiteral("broken"), m.broken},
            {QStringLiteral("error"), m.error}};
}

ModelCatalog::ModelCatalog(QObject* parent) : QObject(parent), folders_(default_model_folders()) {
    qRegisterMetaType<prism::ui::ModelInfo>();
}

ModelCatalog::~ModelCatalog() {
    if (worker_) {
        cancel_->store(true);
        worker_->wait();
    }
}

void ModelCatalog::setFolders(const QStringList& folders) {
    if (folders_ == folders) return;
    folders_ = folders;
    emit foldersChanged();
}

void ModelCatalog::scan() {
    if (worker_) {
        rescan_ = true;
        return;
    }
    auto result = std::make_shared<std::vector<ModelInfo>>();
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    worker_result_ = result;
    cancel_ = cancel;
    worker_.reset(QThread::create([result, cancel, folders = folders_] {
        *result = scan_model_folders(folders, cancel.get());
    }));
    // finished is emitted by the worker; the queued call runs finish_scan on our thread.
    connect(worker_.get(), &QThread::finished, this, &ModelCatalog::finish_scan,
            Qt::QueuedConnection);
    worker_->start(QThread::LowPriority);
    emit scanningChanged();
}

void ModelCatalog::finish_scan() {
    if (!worker_) return;
    worker_->wait();
    worker_.reset();
    models_ = std::move(*worker_result_);
    worker_result_.reset();
    emit scanningChanged();
    emit scanFinished();
    if (rescan_) {
        rescan_ = false;
        scan();
    }
}

const std::vector<ModelInfo>& ModelCatalog::scanNow() {
    models_ = scan_model_folders(folders_);
    emit scanFinished();
    return models_;
}

QVariantMap ModelCatalog::inspect(const QString& path) const {
    ModelInfo info = inspect_model_file(path);
    if (!info.broken && !info.is_mmproj) {
        std::vector<ModelInfo> beside;
        const QDir folder = QFileInfo(info.path).absoluteDir();
        for (const QFileInfo& f :
             folder.entryInfoList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name))
            if (f.absoluteFilePath() != info.path)
                beside.push_back(inspect_model_file(f.absoluteFilePath()));
        pair_text_model(info, beside);
    }
    return to_variant(info);
}

QVariantMap ModelCatalog::pairMmproj(const QString& textModelPath) const {
    const MmprojChoice choice = pair_mmproj(textModelPath);
    return {{QStringLiteral("path"), choice.path}, {QStringLiteral("reason"), choice.reason}};
}

QVariantList ModelCatalog::projectorsBeside(const QString& textModelPath) const {
    const ModelInfo text = inspect_model_file(textModelPath);
    QVariantList out;
    const QDir folder = QFileInfo(text.path).absoluteDir();
    for (const QFileInfo& f :
         folder.entryInfoList({QStringLiteral("*.gguf")}, QDir::Files, QDir::Name)) {
        const ModelInfo p = inspect_model_file(f.absoluteFilePath());
        if (!p.is_mmproj) continue;
        QVariantMap map = to_variant(p);
        map.insert(QStringLiteral("fits"), !p.broken && text.embedding_length > 0 &&
                                               p.projection_width == text.embedding_length);
        out << map;
    }
    return out;
}

}  // namespace prism::ui
