#pragma once

// The files waiting in the composer, shown as removable chips: an image's thumbnail, a
// sound's name, length and play button, a video's poster and length.

#include <QAbstractListModel>
#include <QList>
#include <QQmlEngine>

#include "chat_types.hpp"

namespace prism::ui {

// "image", "audio" or "video", as the views name the kinds.
QString kind_name(AttachmentKind kind);

class AttachmentListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ChatController.")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

  public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,
        SourceRole,  // the thumbnail or poster (image provider URL); empty for a sound
        DetailRole,
        KindRole,      // "image", "audio" or "video"
        DurationRole,  // "0:11" for a sound or a video, else empty
        FileUrlRole,   // the file, for playing a sound
    };

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
    // Whether any attachment is of this kind.
    bool contains(AttachmentKind kind) const;

  signals:
    void countChanged();

  private:
    QList<ImageAttachment> items_;
};

}  // namespace prism::ui
