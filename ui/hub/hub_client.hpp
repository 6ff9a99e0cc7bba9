#pragma once

// Asks the hub (hub_api.hpp) for GGUF repositories and their files. One request of each kind at
// a time: a new search replaces the one in flight, as typing in a search box expects.

#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include "hub/hub_api.hpp"

class QNetworkAccessManager;
class QNetworkReply;

namespace prism::ui {

class HubClient : public QObject {
    Q_OBJECT

  public:
    static constexpr int kSearchLimit = 30;
    // Answers larger than this are refused (a tree of a big repository is ~100 KB).
    static constexpr qint64 kMaxAnswerBytes = qint64{8} << 20;

    HubClient(QNetworkAccessManager* network, QUrl base, QObject* parent = nullptr);
    ~HubClient() override;

    QUrl base() const { return base_; }
    void search(const QString& query);
    void listFiles(const QString& repo);

  signals:
    void searchFinished(const QList<prism::ui::HubRepo>& repos);
    void filesListed(const QString& repo, const QList<prism::ui::HubFile>& files);
    // One line: what failed and why.
    void failed(const QString& message);

  private:
    QNetworkReply* get(const QUrl& url);
    bool read_answer(QNetworkReply* reply, QByteArray& body);

    QNetworkAccessManager* network_;
    QUrl base_;
    QPointer<QNetworkReply> search_reply_;
    QPointer<QNetworkReply> tree_reply_;
};

}  // namespace prism::ui
