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
    // Some attachment is still being copied into the history (Send waits for it).
    Q_PROPERTY(bool importing READ importing NOTIFY importingChanged)

  public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        NameRole,
        SourceRole,  // the thumbnail or poster (image provider URL); empty for a sound
        DetailRole,
        KindRole,       // "image", "audio" or "video"
        DurationRole,   // "0:11" for a sound or a video, else empty
        FileUrlRole,    // the file, for playing a sound
        ImportingRole,  // still being copied into the history
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
    bool importing() const;
    // The first attachment still being copied (its name), empty when none is.
    QString first_importing() const;
    // The history's copy of attachment `id` is done; false when that attachment is no longer
    // here (removed meanwhile).
    bool finish_import(const QString& id, const ImportedImage& stored);

  signals:
    void countChanged();
    void importingChanged();
    // An attachment whose history copy was newly made left the composer unsent (remove()).
    void storedCopyDropped(const QString& relative_path);

  private:
    QList<ImageAttachment> items_;
};

}  // namespace prism::ui
