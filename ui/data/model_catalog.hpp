#pragma once

// The GGUF files on this machine: found in the usual folders, read (headers only) off the UI
// thread, each text model paired with the projector beside it. Files the reader rejects are
// listed as broken with its message.

#include <QObject>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>
#include <atomic>
#include <memory>
#include <vector>

#include "data/model_info.hpp"

class QThread;

namespace prism::ui {

// Reads and pairs every GGUF under `folders`, synchronously. `cancel` (may be null) stops the
// walk between files.
std::vector<ModelInfo> scan_model_folders(const QStringList& folders,
                                          const std::atomic<bool>* cancel = nullptr);

class ModelCatalog : public QObject {
    Q_OBJECT
    Q_PROPERTY(QStringList folders READ folders WRITE setFolders NOTIFY foldersChanged)
    Q_PROPERTY(bool scanning READ isScanning NOTIFY scanningChanged)

  public:
    // Starts with default_model_folders().
    explicit ModelCatalog(QObject* parent = nullptr);
    ~ModelCatalog() override;

    QStringList folders() const { return folders_; }
    void setFolders(const QStringList& folders);
    bool isScanning() const { return worker_ != nullptr; }
    // The result of the last finished scan.
    const std::vector<ModelInfo>& models() const { return models_; }

    // Scans on a worker thread; scanFinished follows. A call during a scan queues one more.
    Q_INVOKABLE void scan();
    // Scans on the calling thread (tests, command-line tools); also emits scanFinished.
    const std::vector<ModelInfo>& scanNow();

    // For a file opened by hand (dialog, drag and drop): its header and paired projector, as
    // a map with the ModelListModel role names.
    Q_INVOKABLE QVariantMap inspect(const QString& path) const;
    // The projector chosen for a text model: {"path": ..., "reason": ...}.
    Q_INVOKABLE QVariantMap pairMmproj(const QString& textModelPath) const;
    // Every projector in the text model's folder, for a picker: maps with the role names plus
    // "fits" (bool).
    Q_INVOKABLE QVariantList projectorsBeside(const QString& textModelPath) const;

  signals:
    void foldersChanged();
    void scanningChanged();
    void scanFinished();

  private:
    void finish_scan();

    QStringList folders_;
    std::vector<ModelInfo> models_;
    std::unique_ptr<QThread> worker_;
    std::shared_ptr<std::vector<ModelInfo>> worker_result_;
    std::shared_ptr<std::atomic<bool>> cancel_;
    bool rescan_ = false;
};

// ModelInfo as a map keyed by ModelListModel's role names.
QVariantMap to_variant(const ModelInfo& info);

}  // namespace prism::ui
