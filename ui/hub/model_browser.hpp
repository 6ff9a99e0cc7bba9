#pragma once

// The model browser's state for QML: hub search results, the chosen repository's GGUF files
// (quantization, size, whether they fit in the device's memory with the KV cache at the chosen
// context and the repository's mmproj), and the downloads into the models folder, which land
// in "<models>/<owner>/<name>/" so that the model menu pairs each model with its mmproj.

#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QVariantList>

#include "hub/fit_estimate.hpp"
#include "hub/hub_client.hpp"

namespace prism::ui {

class ModelDownload;

class ModelBrowser : public QObject {
    Q_OBJECT
    Q_PROPERTY(QVariantList repos READ repos NOTIFY reposChanged)
    Q_PROPERTY(QString repo READ repo NOTIFY filesChanged)
    Q_PROPERTY(QVariantList files READ files NOTIFY filesChanged)
    Q_PROPERTY(QVariantList downloads READ downloads NOTIFY downloadsChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QString hubUrl READ hubUrl CONSTANT)
    Q_PROPERTY(qint64 deviceMemory READ deviceMemory WRITE setDeviceMemory NOTIFY filesChanged)
    Q_PROPERTY(int contextSize READ contextSize WRITE setContextSize NOTIFY filesChanged)

  public:
    ModelBrowser(QString models_folder, QUrl hub, QObject* parent = nullptr);
    ~ModelBrowser() override;

    QVariantList repos() const;
    QString repo() const { return repo_; }
    QVariantList files() const;
    QVariantList downloads() const;
    bool busy() const { return busy_; }
    QString error() const { return error_; }
    QString hubUrl() const { return client_.base().toString(); }
    qint64 deviceMemory() const { return device_memory_; }
    void setDeviceMemory(qint64 bytes);
    int contextSize() const { return context_; }
    void setContextSize(int tokens);

    Q_INVOKABLE void search(const QString& query);
    Q_INVOKABLE void openRepo(const QString& repo);
    // Downloads a file of the open repository (every part of a split model, offered under its
    // first part's path); a text model brings the repository's mmproj along when `withMmproj`
    // and it is not already there.
    Q_INVOKABLE void download(const QString& path, bool withMmproj = true);
    // Where a file of `repo` is saved.
    QString destination(const QString& repo, const QString& path) const;

  signals:
    void reposChanged();
    void filesChanged();
    void downloadsChanged();
    void busyChanged();
    void errorChanged();
    // A file arrived whole and checked (the model menu should look again).
    void modelDownloaded(const QString& path);

  private:
    void set_busy(bool busy);
    void set_error(const QString& error);
    void start_download(const HubFile& file);

    QString models_folder_;
    QNetworkAccessManager network_;
    HubClient client_;
    QList<HubRepo> repos_;
    QString repo_;
    QList<HubFile> files_;
    KvShape shape_;
    QList<ModelDownload*> downloads_;
    qint64 device_memory_ = 0;
    int context_ = 4096;
    bool busy_ = false;
    QString error_;
};

}  // namespace prism::ui
