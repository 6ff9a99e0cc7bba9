#pragma once

// Asks the hub (hub_api.hpp) for GGUF repositories and their files. One request of each kind at
// a time: a new search replaces the one in flight, as typing in a search box expects.

#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include "hub/fit_estimate.hpp"
#include "hub/hub_api.hpp"

class QNetworkAccessManager;
class QNetworkReply;

namespace prism::ui {

class HubClient : public QObject {
    Q_OBJECT

  public:
    static constexpr int kSearchLimit = 30;
    // Answers larger than this are refused (a tree of a big repository is ~100 KB; a header
    // probe asks for at most 16 MiB).
    static constexpr qint64 kMaxAnswerBytes = qint64{16} << 20;

    HubClient(QNetworkAccessManager* network, QUrl base, QObject* parent = nullptr);
    ~HubClient() override;

    QUrl base() const { return base_; }
    void search(const QString& query);
    void listFiles(const QString& repo);
    // Reads the KV-cache shape from the first bytes of a GGUF file of `repo` (Range requests of
    // 1 MiB, then 4 and 16, until the metadata is in), for the fit estimate.
    void probeKvShape(const QString& repo, const QString& path);

  signals:
    void searchFinished(const QList<prism::ui::HubRepo>& repos);
    void filesListed(const QString& repo, const QList<prism::ui::HubFile>& files);
    void kvShapeFound(const QString& repo, const QString& path, const prism::ui::KvShape& shape);
    // One line: what failed and why.
    void failed(const QString& message);

  private:
    QNetworkReply* get(const QUrl& url);
    QNetworkReply* guarded(QNetworkReply* reply);
    bool read_answer(QNetworkReply* reply, QByteArray& body);
    void probe(const QString& repo, const QString& path, qint64 bytes);

    QNetworkAccessManager* network_;
    QUrl base_;
    QPointer<QNetworkReply> search_reply_;
    QPointer<QNetworkReply> tree_reply_;
    QPointer<QNetworkReply> probe_reply_;
};

}  // namespace prism::ui
