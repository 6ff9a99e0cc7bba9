#include "live_image_provider.hpp"

#include "live_controller.hpp"

namespace prism::ui {

LiveImageProvider::LiveImageProvider(LiveController* live)
    : QQuickImageProvider(QQuickImageProvider::Image), live_(live) {}

QImage LiveImageProvider::requestImage(const QString& id, QSize* size, const QSize& requested) {
    QImage image;
    if (live_) {
        image = id.startsWith(QLatin1String("seen/")) ? live_->seen_frame().image
                                                      : live_->preview_frame().image;
    }
    if (image.isNull()) {
        image = QImage(16, 9, QImage::Format_RGB888);
        image.fill(Qt::black);
    }
    if (requested.isValid() && !requested.isEmpty())
        image = image.scaled(requested, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    if (size) *size = image.size();
    return image;
}

}  // namespace prism::ui
