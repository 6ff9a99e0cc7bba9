#include "data/model_list_model.hpp"

#include <algorithm>

namespace prism::ui {

ModelListModel::ModelListModel(ModelCatalog* catalog, QObject* parent)
    : QAbstractListModel(parent) {
    setCatalog(catalog);
}

void ModelListModel::setCatalog(ModelCatalog* catalog) {
    if (catalog_ == catalog) return;
    if (catalog_) disconnect(catalog_, nullptr, this, nullptr);
    catalog_ = catalog;
    if (catalog_)
        connect(catalog_, &ModelCatalog::scanFinished, this,
                [this] { setModels(catalog_->models()); });
    emit catalogChanged();
    setModels(catalog_ ? catalog_->models() : std::vector<ModelInfo>{});
}

void ModelListModel::setIncludeProjectors(bool include) {
    if (include_projectors_ == include) return;
    include_projectors_ = include;
    emit includeProjectorsChanged();
    reload();
}

void ModelListModel::setModels(const std::vector<ModelInfo>& models) {
    all_ = models;
    // Usable models first, then by name; broken files last.
    std::stable_sort(all_.begin(), all_.end(), [](const ModelInfo& a, const ModelInfo& b) {
        if (a.broken != b.broken) return !a.broken;
        return QString::compare(a.name, b.name, Qt::CaseInsensitive) < 0;
    });
    reload();
}

void ModelListModel::reload() {
    const int old_count = count();
    beginResetModel();
    rows_.clear();
    for (const ModelInfo& m : all_)
        if (include_projectors_ || !m.is_mmproj) rows_.push_back(m);
    endResetModel();
    if (count() != old_count) emit countChanged();
}

int ModelListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant ModelListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() < 0 || index.row() >= count()) return {};
    const ModelInfo& m = rows_[static_cast<std::size_t>(index.row())];
    switch (role) {
        case Qt::DisplayRole:
        case NameRole:
            return m.name;
        case PathRole:
            return m.path;
        case FileNameRole:
            return m.file_name;
        case ArchitectureRole:
            return m.architecture;
        case QuantizationRole:
            return m.quantization;
        case SizeBytesRole:
            return m.size_bytes;
        case ContextLengthRole:
            return m.context_length;
        case HasVisionRole:
            return m.has_vision;
        case HasAudioRole:
            return m.has_audio;
        case MmprojPathRole:
            return m.mmproj_path;
        case PairingNoteRole:
            return m.pairing_note;
        case IsProjectorRole:
            return m.is_mmproj;
        case BrokenRole:
            return m.broken;
        case ErrorRole:
            return m.error;
        default:
            return {};
    }
}

QHash<int, QByteArray> ModelListModel::roleNames() const {
    return {{NameRole, "name"},
            {PathRole, "path"},
            {FileNameRole, "fileName"},
            {ArchitectureRole, "architecture"},
            {QuantizationRole, "quantization"},
            {SizeBytesRole, "sizeBytes"},
            {ContextLengthRole, "contextLength"},
            {HasVisionRole, "hasVision"},
            {HasAudioRole, "hasAudio"},
            {MmprojPathRole, "mmprojPath"},
            {PairingNoteRole, "pairingNote"},
            {IsProjectorRole, "isProjector"},
            {BrokenRole, "broken"},
            {ErrorRole, "error"}};
}

QVariantMap ModelListModel::get(int row) const {
    if (row < 0 || row >= count()) return {};
    return to_variant(rows_[static_cast<std::size_t>(row)]);
}

int ModelListModel::rowOf(const QString& path) const {
    for (std::size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].path == path) return static_cast<int>(i);
    return -1;
}

}  // namespace prism::ui
