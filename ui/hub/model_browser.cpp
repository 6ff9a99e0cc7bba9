#include "hub/model_browser.hpp"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <algorithm>

#include "hub/gguf_file_names.hpp"
#include "hub/model_download.hpp"

namespace prism::ui {

namespace {

QString size_text(qint64 bytes) {
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

}  // namespace

ModelBrowser::ModelBrowser(QString models_folder, QUrl hub, QObject* parent)
    : QObject(parent), models_folder_(std::move(models_folder)), client_(&network_, hub) {
    connect(&client_, &HubClient::searchFinished, this, [this](const QList<HubRepo>& repos) {
        repos_ = repos;
        set_busy(false);
        emit reposChanged();
    });
    connect(&client_, &HubClient::filesListed, this,
            [this](const QString& repo, const QList<HubFile>& files) {
                if (repo != repo_) return;
                files_ = files;
                set_busy(false);
                emit filesChanged();
                // One header gives the KV shape of every quantization of the repository (a
                // split model's is in its first part).
                QString smallest;
                qint64 smallest_size = 0;
                for (const HubModelFiles& model : group_split_models(files_))
                    if (!is_mmproj_name(model.path()) && model.complete() &&
                        (smallest.isEmpty() || model.size() < smallest_size)) {
                        smallest = model.path();
                        smallest_size = model.size();
                    }
                if (!smallest.isEmpty()) client_.probeKvShape(repo_, smallest);
            });
    connect(&client_, &HubClient::kvShapeFound, this,
            [this](const QString& repo, const QString&, const KvShape& shape) {
                if (repo != repo_) return;
                shape_ = shape;
                emit filesChanged();
            });
    connect(&client_, &HubClient::failed, this, [this](const QString& message) {
        set_busy(false);
        set_error(message);
    });
}

ModelBrowser::~ModelBrowser() = default;

void ModelBrowser::setDeviceMemory(qint64 bytes) {
    if (bytes == device_memory_) return;
    device_memory_ = bytes;
    emit filesChanged();
}

void ModelBrowser::setContextSize(int tokens) {
    if (tokens == context_ || tokens <= 0) return;
    context_ = tokens;
    emit filesChanged();
}

QVariantList ModelBrowser::repos() const {
    QVariantList list;
    for (const HubRepo& repo : repos_)
        list.append(QVariantMap{{QStringLiteral("id"), repo.id},
                                {QStringLiteral("downloads"), repo.downloads},
                                {QStringLiteral("likes"), repo.likes}});
    return list;
}

QVariantList ModelBrowser::files() const {
    const QString mmproj = matching_mmproj(files_);
    qint64 mmproj_size = 0;
    for (const HubFile& file : files_)
        if (file.path == mmproj) mmproj_size = file.size;
    QVariantList list;
    for (const HubModelFiles& model : group_split_models(files_)) {
        const QString path = model.path();
        const bool is_projector = is_mmproj_name(path);
        bool downloaded = true;
        for (const HubFile& part : model.files)
            downloaded = downloaded && QFileInfo::exists(destination(repo_, part.path));
        bool checksum = true;
        for (const HubFile& part : model.files) checksum = checksum && !part.sha256.isEmpty();
        QVariantMap row{{QStringLiteral("path"), path},
                        {QStringLiteral("size"), model.size()},
                        {QStringLiteral("sizeText"), size_text(model.size())},
                        {QStringLiteral("quant"), quant_label(path)},
                        {QStringLiteral("mmproj"), is_projector},
                        {QStringLiteral("pairedMmproj"), is_projector ? QString() : mmproj},
                        {QStringLiteral("checksum"), checksum},
                        // A split model: how many parts, and whether the hub lists them all.
                        {QStringLiteral("parts"), model.parts},
                        {QStringLiteral("complete"), model.complete()},
                        {QStringLiteral("downloaded"), downloaded && model.complete()}};
        // "fit": "yes", "no", or "" while unknown (no device memory or KV shape yet).
        QString fit;
        if (!is_projector && shape_.valid() && device_memory_ > 0) {
            const FitEstimate estimate = estimate_fit(
                static_cast<std::uint64_t>(model.size()), static_cast<std::uint64_t>(mmproj_size),
                shape_, context_, static_cast<std::uint64_t>(device_memory_));
            fit = estimate.fits ? QStringLiteral("yes") : QStringLiteral("no");
            row.insert(QStringLiteral("needText"), size_text(static_cast<qint64>(estimate.needed)));
        }
        row.insert(QStringLiteral("fit"), fit);
        list.append(row);
    }
    return list;
}

QVariantList ModelBrowser::downloads() const {
    QVariantList list;
    for (ModelDownload* download : downloads_) list.append(QVariant::fromValue(download));
    return list;
}

QString ModelBrowser::destination(const QString& repo, const QString& path) const {
    return QDir(models_folder_).filePath(repo + QLatin1Char('/') + QFileInfo(path).fileName());
}

void ModelBrowser::search(const QString& query) {
    set_error({});
    set_busy(true);
    client_.search(query);
}

void ModelBrowser::openRepo(const QString& repo) {
    set_error({});
    repo_ = repo;
    files_.clear();
    shape_ = {};
    emit filesChanged();
    set_busy(true);
    client_.listFiles(repo);
}

void ModelBrowser::download(const QString& path, bool withMmproj) {
    const QList<HubModelFiles> models = group_split_models(files_);
    const auto chosen = std::find_if(models.begin(), models.end(),
                                     [&](const HubModelFiles& m) { return m.path() == path; });
    if (chosen == models.end()) return;
    if (!chosen->complete()) {
        set_error(tr("%1 is split into %2 parts, but the hub lists only %3 of them")
                      .arg(QFileInfo(path).fileName())
                      .arg(chosen->parts)
                      .arg(chosen->files.size()));
        return;
    }
    // Every part of a split model, in order.
    for (const HubFile& part : chosen->files) start_download(part);
    const QString mmproj = matching_mmproj(files_);
    if (!withMmproj || is_mmproj_name(path) || mmproj.isEmpty()) return;
    for (const HubFile& other : files_)
        if (other.path == mmproj && !QFileInfo::exists(destination(repo_, mmproj)))
            start_download(other);
}

void ModelBrowser::start_download(const HubFile& file) {
    const QString target = destination(repo_, file.path);
    for (ModelDownload* running : downloads_) {
        if (running->destination() != target) continue;
        if (running->state() != ModelDownload::State::Done) running->start();
        return;
    }
    auto* download = new ModelDownload(
        &network_, {hub_file_url(client_.base(), repo_, file.path), target, file.size, file.sha256},
        this);
    connect(download, &ModelDownload::finished, this, [this, download] {
        if (download->state() == ModelDownload::State::Done) {
            emit modelDownloaded(download->destination());
            emit filesChanged();  // the "downloaded" marks
        }
    });
    downloads_.append(download);
    emit downloadsChanged();
    download->start();
}

void ModelBrowser::set_busy(bool busy) {
    if (busy_ == busy) return;
    busy_ = busy;
    emit busyChanged();
}

void ModelBrowser::set_error(const QString& error) {
    if (error_ == error) return;
    error_ = error;
    emit errorChanged();
}

}  // namespace prism::ui
