#pragma once

// Thumbnails of attached images by id, shared by the chat controller (which adds them on the
// UI thread) and the QML image provider (which reads them on Qt Quick's loader threads).

#include <QHash>
#include <QImage>
#include <QMutex>
#include <QQuickImageProvider>
#include <QString>
#include <memory>

namespace prism::ui {

class ImageStore {
  public:
    void insert(const QString& id, const QImage& thumbnail);
    QImage thumbnail(const QString& id) const;
    // A fresh id for a new attachment.
    QString next_id();

  private:
    mutable QMutex mutex_;
    QHash<QString, QImage> thumbnails_;
    quint64 counter_ = 0;
};

// Serves image://attachments/<id>.
class AttachmentImageProvider : public QQuickImageProvider {
  public:
    explicit AttachmentImageProvider(std::shared_ptr<ImageStore> store);
    QImage requestImage(const QString& id, QSize* size, const QSize& requested) override;

  private:
    std::shared_ptr<ImageStore> store_;
};

}  // namespace prism::ui
