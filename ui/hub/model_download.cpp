#include "hub/model_download.hpp"

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QStorageInfo>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace prism::ui {

namespace {

// A transfer that receives nothing for this long counts as a dropped connection.
constexpr int kStallTimeoutMs = 30000;
constexpr qint64 kHashChunk = qint64{4} << 20;

QString size_text(qint64 bytes) {
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

std::shared_ptr<QCryptographicHash> new_hash() {
    return std::make_shared<QCryptographicHash>(QCryptographicHash::Sha256);
}

struct PartHash {
    std::shared_ptr<QCryptographicHash> hash;
    QString error;  // empty when the bytes were hashed
};

// The SHA-256 state after the first `bytes` of the file at `path`, read through a handle of its
// own. Runs on a worker thread; `stop` ends it early (its result is then not used).
PartHash hash_file_start(const QString& path, qint64 bytes,
                         const std::shared_ptr<std::atomic<bool>>& stop) {
    PartHash out{new_hash(), {}};
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        out.error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return out;
    }
    qint64 hashed = 0;
    while (hashed < bytes && !*stop) {
        const QByteArray chunk = file.read(std::min(kHashChunk, bytes - hashed));
        if (chunk.isEmpty()) {
            out.error =
                QStringLiteral("cannot read %1: %2")
                    .arg(path, file.error() == QFileDevice::NoError
                                   ? QStringLiteral("it is shorter than %1 bytes").arg(bytes)
                                   : file.errorString());
            return out;
        }
        out.hash->addData(chunk);
        hashed += chunk.size();
    }
    return out;
}

}  // namespace

ModelDownload::ModelDownload(QNetworkAccessManager* network, Target target, QObject* parent)
    : QObject(parent), network_(network), target_(std::move(target)) {}

ModelDownload::~ModelDownload() {
    stop_reply();
    stop_hashing();
}

QString ModelDownload::status() const {
    switch (state_) {
        case State::Idle:
            return QStringLiteral("idle");
        case State::Running:
            return QStringLiteral("running");
        case State::Paused:
            return QStringLiteral("paused");
        case State::Done:
            return QStringLiteral("done");
        case State::Failed:
            return QStringLiteral("failed");
        case State::Cancelled:
            return QStringLiteral("cancelled");
    }
    return {};
}

QString ModelDownload::fileName() const {
    return QFileInfo(target_.destination).fileName();
}

void ModelDownload::start() {
    if (state_ == State::Running || state_ == State::Done) return;
    error_.clear();
    retries_ = 0;
    if (target_.sha256.isEmpty()) {
        fail(QStringLiteral("%1: the hub lists no SHA-256 for this file, so it cannot be checked")
                 .arg(fileName()));
        return;
    }
    const QFileInfo destination(target_.destination);
    if (!QDir().mkpath(destination.absolutePath())) {
        fail(QStringLiteral("cannot create the folder %1").arg(destination.absolutePath()));
        return;
    }
    qint64 keep = QFileInfo(partPath()).size();
    if (target_.size >= 0 && keep > target_.size) keep = 0;
    const QStorageInfo storage(destination.absolutePath());
    if (target_.size >= 0 && storage.isValid() && storage.bytesAvailable() >= 0 &&
        storage.bytesAvailable() < target_.size - keep) {
        fail(QStringLiteral("not enough free space in %1 for %2: it needs %3, %4 are free")
                 .arg(destination.absolutePath(), fileName(), size_text(target_.size - keep),
                      size_text(storage.bytesAvailable())));
        return;
    }
    if (!open_part(keep)) return;
    set_state(State::Running);
    if (keep > 0)
        hash_part_then_request(keep);
    else
        request();
}

void ModelDownload::pause() {
    if (state_ != State::Running) return;
    stop_reply();
    stop_hashing();
    part_.close();
    set_state(State::Paused);
}

void ModelDownload::cancel() {
    if (state_ == State::Done || state_ == State::Cancelled) return;
    stop_reply();
    stop_hashing();
    part_.close();
    QFile::remove(partPath());
    set_state(State::Cancelled);
    emit finished();
}

bool ModelDownload::open_part(qint64 keep) {
    part_.close();
    part_.setFileName(partPath());
    // Unbuffered: a full disk shows at the write that hits it, not at some later flush.
    if (!part_.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        fail(QStringLiteral("cannot open %1: %2").arg(partPath(), part_.errorString()));
        return false;
    }
    if (part_.size() != keep && !part_.resize(keep)) {
        fail(QStringLiteral("cannot truncate %1: %2").arg(partPath(), part_.errorString()));
        return false;
    }
    if (!part_.isSequential()) part_.seek(keep);  // a device in place of the file is not
    // What is already there goes into the checksum (hash_part_then_request), so that a resumed
    // file is checked whole.
    hash_ = new_hash();
    received_ = keep;
    emit progressChanged();
    return true;
}

void ModelDownload::hash_part_then_request(qint64 keep) {
    stop_hashing();
    auto stop = std::make_shared<std::atomic<bool>>(false);
    hashing_stop_ = stop;
    // A child: destroyed with the download, after which its result is never delivered.
    auto* watcher = new QFutureWatcher<PartHash>(this);
    connect(watcher, &QFutureWatcher<PartHash>::finished, this, [this, watcher, stop] {
        watcher->deleteLater();
        // A pause, cancel or failure meanwhile stopped this hashing.
        if (stop != hashing_stop_ || state_ != State::Running) return;
        hashing_stop_.reset();
        const PartHash result = watcher->result();
        if (!result.error.isEmpty()) {
            fail(result.error);
            return;
        }
        hash_ = result.hash;
        request();
    });
    watcher->setFuture(QtConcurrent::run(hash_file_start, partPath(), keep, stop));
}

void ModelDownload::request() {
    QNetworkRequest request(target_.url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kStallTimeoutMs);
    request.setRawHeader("Accept-Encoding", "identity");
    request_offset_ = received_;
    if (request_offset_ > 0)
        request.setRawHeader("Range", "bytes=" + QByteArray::number(request_offset_) + "-");
    response_checked_ = false;
    reply_ = network_->get(request);
    connect(reply_, &QNetworkReply::readyRead, this, &ModelDownload::on_ready_read);
    connect(reply_, &QNetworkReply::finished, this, &ModelDownload::on_finished);
}

bool ModelDownload::check_response() {
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 206) {
        static const QRegularExpression range(QStringLiteral("^bytes (\\d+)-"));
        const QRegularExpressionMatch match =
            range.match(QString::fromLatin1(reply_->rawHeader("Content-Range")));
        if (!match.hasMatch() || match.captured(1).toLongLong() != request_offset_) {
            fail(QStringLiteral("%1: the server resumed at the wrong place (%2)")
                     .arg(fileName(), QString::fromLatin1(reply_->rawHeader("Content-Range"))));
            return false;
        }
        return true;
    }
    if (status == 200) {
        // The server ignored the Range header: start the file again.
        if (request_offset_ > 0 && !open_part(0)) return false;
        request_offset_ = 0;
        return true;
    }
    const QString reason = reply_->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    fail(status == 0
             ? QStringLiteral("%1: %2").arg(fileName(), reply_->errorString())
             : QStringLiteral("%1: the server answered %2 %3 for %4")
                   .arg(fileName(), QString::number(status), reason, reply_->url().toString()));
    return false;
}

void ModelDownload::on_ready_read() {
    if (reply_ == nullptr || state_ != State::Running) return;
    if (!response_checked_) {
        if (!check_response()) return;
        response_checked_ = true;
    }
    const QByteArray data = reply_->readAll();
    if (data.isEmpty()) return;
    if (part_.write(data) != data.size()) {
        fail(QStringLiteral("cannot write %1: %2").arg(partPath(), part_.errorString()));
        return;
    }
    hash_->addData(data);
    received_ += data.size();
    retries_ = 0;  // progress: the next drop starts a fresh count
    if (target_.size >= 0 && received_ > target_.size) {
        fail(QStringLiteral("%1: the server sent more than the %2 bytes the hub lists")
                 .arg(fileName())
                 .arg(target_.size));
        return;
    }
    emit progressChanged();
}

void ModelDownload::on_finished() {
    if (reply_ == nullptr || state_ != State::Running) return;
    on_ready_read();
    if (state_ != State::Running) return;
    QNetworkReply* reply = reply_;
    const bool http_error =
        reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() >= 400;
    if (!response_checked_ && http_error) {
        check_response();
        return;
    }
    const QNetworkReply::NetworkError error = reply->error();
    const QString error_text = reply->errorString();
    stop_reply();
    const bool complete =
        target_.size < 0 ? error == QNetworkReply::NoError : received_ == target_.size;
    if (complete) {
        verify_and_install();
        return;
    }
    // A dropped or stalled connection: ask for the rest.
    if (retries_ < kMaxRetries) {
        ++retries_;
        QTimer::singleShot(250 * retries_, this, [this] {
            if (state_ == State::Running && reply_ == nullptr) request();
        });
        return;
    }
    fail(QStringLiteral("%1: the connection failed %2 times in a row (%3); %4 of %5 kept for "
                        "resuming")
             .arg(fileName())
             .arg(kMaxRetries + 1)
             .arg(error == QNetworkReply::NoError ? QStringLiteral("the server ended early")
                                                  : error_text,
                  size_text(received_), size_text(target_.size)));
}

void ModelDownload::verify_and_install() {
    part_.close();
    const QString actual = QString::fromLatin1(hash_->result().toHex());
    if (actual != target_.sha256) {
        QFile::remove(corruptPath());
        QFile::rename(partPath(), corruptPath());
        fail(QStringLiteral("%1: SHA-256 %2 differs from the hub's %3; the file is kept as %4")
                 .arg(fileName(), actual, target_.sha256, corruptPath()));
        return;
    }
    QFile::remove(target_.destination);
    if (!QFile::rename(partPath(), target_.destination)) {
        fail(QStringLiteral("cannot rename %1 to %2").arg(partPath(), target_.destination));
        return;
    }
    set_state(State::Done);
    emit finished();
}

void ModelDownload::fail(const QString& message) {
    stop_reply();
    stop_hashing();
    part_.close();
    error_ = message;
    set_state(State::Failed);
    emit finished();
}

void ModelDownload::set_state(State state) {
    if (state_ == state) return;
    state_ = state;
    emit stateChanged();
}

void ModelDownload::stop_hashing() {
    if (hashing_stop_ == nullptr) return;
    *hashing_stop_ = true;
    hashing_stop_.reset();
}

void ModelDownload::stop_reply() {
    if (reply_ == nullptr) return;
    QNetworkReply* reply = reply_;
    reply_ = nullptr;
    reply->disconnect(this);
    // Queued: this may run inside one of the reply's own signals, where aborting re-enters
    // its error handling.
    QMetaObject::invokeMethod(reply, &QNetworkReply::abort, Qt::QueuedConnection);
    reply->deleteLater();
}

}  // namespace prism::ui
