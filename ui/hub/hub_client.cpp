#include "hub/hub_client.hpp"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <algorithm>

namespace prism::ui {

namespace {

constexpr int kRequestTimeoutMs = 20000;
constexpr qint64 kFirstProbeBytes = qint64{1} << 20;
constexpr qint64 kMaxProbeBytes = qint64{16} << 20;

void drop(QPointer<QNetworkReply>& reply) {
    if (reply == nullptr) return;
    reply->disconnect();
    reply->abort();
    reply->deleteLater();
    reply = nullptr;
}

}  // namespace

HubClient::HubClient(QNetworkAccessManager* network, QUrl base, QObject* parent)
    : QObject(parent), network_(network), base_(std::move(base)) {}

HubClient::~HubClient() {
    drop(search_reply_);
    drop(tree_reply_);
    drop(probe_reply_);
}

QNetworkReply* HubClient::get(const QUrl& url) {
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kRequestTimeoutMs);
    request.setRawHeader("Accept", "application/json");
    return guarded(network_->get(request));
}

QNetworkReply* HubClient::guarded(QNetworkReply* reply) {
    // Qt keeps a reply's body in memory until it is read: an answer past the cap (a server
    // ignoring Range on a multi-gigabyte file, say) is stopped as it arrives.
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received <= kMaxAnswerBytes) return;
        reply->setProperty("tooLarge", true);
        reply->abort();
    });
    return reply;
}

bool HubClient::read_answer(QNetworkReply* reply, QByteArray& body) {
    if (reply->property("tooLarge").toBool()) {
        emit failed(QStringLiteral("%1 sent more than %2 MiB for %3")
                        .arg(base_.host())
                        .arg(kMaxAnswerBytes >> 20)
                        .arg(reply->url().path()));
        return false;
    }
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status < 400) {
        emit failed(QStringLiteral("cannot reach %1: %2").arg(base_.host(), reply->errorString()));
        return false;
    }
    if (status != 200 && status != 206) {
        emit failed(
            QStringLiteral("%1 answered %2 %3 for %4")
                .arg(base_.host(), QString::number(status),
                     reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(),
                     reply->url().path()));
        return false;
    }
    body = reply->read(kMaxAnswerBytes + 1);
    if (body.size() > kMaxAnswerBytes) {
        emit failed(QStringLiteral("%1 sent more than %2 MiB for %3")
                        .arg(base_.host())
                        .arg(kMaxAnswerBytes >> 20)
                        .arg(reply->url().path()));
        return false;
    }
    return true;
}

void HubClient::search(const QString& query) {
    drop(search_reply_);
    search_reply_ = get(hub_search_url(base_, query.trimmed(), kSearchLimit));
    QNetworkReply* reply = search_reply_;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (reply == search_reply_) search_reply_ = nullptr;
        QByteArray body;
        if (!read_answer(reply, body)) return;
        QList<HubRepo> repos;
        QString error;
        if (!parse_hub_search(body, repos, error)) {
            emit failed(QStringLiteral("search: %1").arg(error));
            return;
        }
        emit searchFinished(repos);
    });
}

void HubClient::listFiles(const QString& repo) {
    drop(tree_reply_);
    if (!is_valid_repo_id(repo)) {
        emit failed(QStringLiteral("'%1' is not a repository name (owner/name)").arg(repo));
        return;
    }
    tree_reply_ = get(hub_tree_url(base_, repo));
    QNetworkReply* reply = tree_reply_;
    connect(reply, &QNetworkReply::finished, this, [this, reply, repo] {
        reply->deleteLater();
        if (reply == tree_reply_) tree_reply_ = nullptr;
        QByteArray body;
        if (!read_answer(reply, body)) return;
        QList<HubFile> files;
        QString error;
        if (!parse_hub_tree(body, files, error)) {
            emit failed(QStringLiteral("%1: %2").arg(repo, error));
            return;
        }
        emit filesListed(repo, files);
    });
}

void HubClient::probeKvShape(const QString& repo, const QString& path) {
    probe(repo, path, kFirstProbeBytes);
}

void HubClient::probe(const QString& repo, const QString& path, qint64 bytes) {
    drop(probe_reply_);
    if (!is_valid_repo_id(repo)) return;
    QNetworkRequest request(hub_file_url(base_, repo, path));
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kRequestTimeoutMs);
    request.setRawHeader("Range", "bytes=0-" + QByteArray::number(bytes - 1));
    probe_reply_ = guarded(network_->get(request));
    QNetworkReply* reply = probe_reply_;
    connect(reply, &QNetworkReply::finished, this, [this, reply, repo, path, bytes] {
        reply->deleteLater();
        if (reply == probe_reply_) probe_reply_ = nullptr;
        QByteArray body;
        if (!read_answer(reply, body)) return;
        KvShape shape;
        QString error;
        switch (probe_gguf_kv_shape(body.left(bytes), shape, error)) {
            case ProbeResult::Done:
                emit kvShapeFound(repo, path, shape);
                return;
            case ProbeResult::NeedMoreBytes:
                if (body.size() >= bytes && bytes < kMaxProbeBytes) {
                    probe(repo, path, bytes * 4);
                    return;
                }
                emit failed(QStringLiteral("%1: the GGUF metadata is longer than %2 MiB")
                                .arg(path)
                                .arg(bytes >> 20));
                return;
            case ProbeResult::NotGguf:
                emit failed(QStringLiteral("%1: %2").arg(path, error));
                return;
        }
    });
}

}  // namespace prism::ui
