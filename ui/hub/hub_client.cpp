#include "hub/hub_client.hpp"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace prism::ui {

namespace {

constexpr int kRequestTimeoutMs = 20000;

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
}

QNetworkReply* HubClient::get(const QUrl& url) {
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::NoLessSafeRedirectPolicy);
    request.setTransferTimeout(kRequestTimeoutMs);
    request.setRawHeader("Accept", "application/json");
    return network_->get(request);
}

bool HubClient::read_answer(QNetworkReply* reply, QByteArray& body) {
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (reply->error() != QNetworkReply::NoError && status < 400) {
        emit failed(QStringLiteral("cannot reach %1: %2").arg(base_.host(), reply->errorString()));
        return false;
    }
    if (status != 200) {
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

}  // namespace prism::ui
