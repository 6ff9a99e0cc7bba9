#pragma once

// The sidebar's list of conversations, newest first, optionally filtered by a search text
// (titles and message text). Reloads whenever the store reports a change.

#include <QAbstractListModel>
#include <QPointer>
#include <vector>

#include "data/conversation_store.hpp"

namespace prism::ui {

class ConversationListModel : public QAbstractListModel {
    Q_OBJECT
    Q_PROPERTY(ConversationStore* store READ store WRITE setStore NOTIFY storeChanged)
    Q_PROPERTY(QString filter READ filter WRITE setFilter NOTIFY filterChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)

  public:
    enum Role { IdRole = Qt::UserRole + 1, TitleRole, UpdatedRole, PreviewRole };
    Q_ENUM(Role)

    explicit ConversationListModel(ConversationStore* store = nullptr, QObject* parent = nullptr);

    ConversationStore* store() const { return store_; }
    void setStore(ConversationStore* store);
    QString filter() const { return filter_; }
    void setFilter(const QString& filter);
    int count() const { return static_cast<int>(rows_.size()); }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Row of a conversation id, or -1.
    Q_INVOKABLE int rowOf(qint64 id) const;
    // Conversation id at a row, or -1.
    Q_INVOKABLE qint64 idAt(int row) const;
    Q_INVOKABLE void reload();

  signals:
    void storeChanged();
    void filterChanged();
    void countChanged();

  private:
    QPointer<ConversationStore> store_;
    QString filter_;
    std::vector<ConversationSummary> rows_;
};

}  // namespace prism::ui
