#include "image_store.hpp"

#include <QMutexLocker>

namespace prism::ui {

void ImageStore::insert(const QString& id, const QImage& thumbnail) {
    QMutexLocker lock(&mutex_);
    thumbnails_.insert(id, thumbnail);
}

QImage ImageStore::thumbnail(const QString& id) const {
    QMutexLocker lock(&mutex_);
    return thumbnails_.value(id);
}

QString ImageStore::next_id() {
    QMutexLocker lock(&mutex_);
    return QStringLiteral("img%1").arg(++counter_);
}

AttachmentImageProvider::AttachmentImageProvider(std::shared_ptr<ImageStore> store)
    : QQuickImageProvider(QQuickImageProvider::Image), store_(std::move(store)) {}

QImage AttachmentImageProvider::requestImage(const QString& id, QSize* size,
                                             const QSize& requested) {
    QImage image = store_->thumbnail(id);
    if (size != nullptr) *size = image.size();
    if (requested.isValid() && !image.isNull()) {
        image = image.scaled(requested, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    }
    return image;
}

}  // namespace prism::ui
