#pragma once

// The images waiting in the composer, shown as removable thumbnails.

#include <QAbstractListModel>
#include <QList>
#include <QQmlEngine>

#include "chat_types.hpp"

namespace prism::ui {

class AttachmentListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ChatController.")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

  public:
    enum Role { IdRole = Qt::UserRole + 1, NameRole, SourceRole, DetailRole };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(items_.size()); }
    void append(const ImageAttachment& attachment);
    Q_INVOKABLE void remove(int row);
    // Empties the composer and hands its images over (to the message being sent).
    QList<ImageAttachment> take_all();
    const QList<ImageAttachment>& items() const { return items_; }

  signals:
    void countChanged();

  private:
    QList<ImageAttachment> items_;
};

}  // namespace prism::ui
