#pragma once

// The models found by a ModelCatalog, for the model picker. Projector files are companions,
// not models: they are hidden unless includeProjectors is set. Broken files are listed (with
// the reader's error) so that the user learns why a download does not show up as usable.

#include <QAbstractListModel>
#include <QPointer>
#include <vector>

#include "data/model_catalog.hpp"

namespace prism::ui {

class ModelListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(ModelCatalog* catalog READ catalog WRITE setCatalog NOTIFY catalogChanged)
    Q_PROPERTY(bool includeProjectors READ includeProjectors WRITE setIncludeProjectors NOTIFY
                   includeProjectorsChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

  public:
    enum Role {
        NameRole = Qt::UserRole + 1,
        PathRole,
        FileNameRole,
        ArchitectureRole,
        QuantizationRole,
        SizeBytesRole,
        ContextLengthRole,
        HasVisionRole,
        HasAudioRole,
        MmprojPathRole,
        PairingNoteRole,
        IsProjectorRole,
        BrokenRole,
        ErrorRole,
    };
    Q_ENUM(Role)

    explicit ModelListModel(ModelCatalog* catalog = nullptr, QObject* parent = nullptr);

    ModelCatalog* catalog() const { return catalog_; }
    void setCatalog(ModelCatalog* catalog);
    bool includeProjectors() const { return include_projectors_; }
    void setIncludeProjectors(bool include);
    int count() const { return static_cast<int>(rows_.size()); }

    // Replaces the rows (the catalog does this after each scan).
    void setModels(const std::vector<ModelInfo>& models);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // All roles of a row as a map (empty for a bad row).
    Q_INVOKABLE QVariantMap get(int row) const;
    // Row of a path, or -1.
    Q_INVOKABLE int rowOf(const QString& path) const;

  signals:
    void catalogChanged();
    void includeProjectorsChanged();
    void countChanged();

  private:
    void reload();

    QPointer<ModelCatalog> catalog_;
    bool include_projectors_ = false;
    std::vector<ModelInfo> all_;
    std::vector<ModelInfo> rows_;
};

}  // namespace prism::ui
