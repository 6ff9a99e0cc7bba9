#include "capture_source.hpp"

#include <QDateTime>
#include <QMutexLocker>

namespace prism::ui {

CapturedFrame FrameSource::latest() const {
    QMutexLocker lock(&mutex_);
    return latest_;
}

void FrameSource::set_max_side(int pixels) {
    max_side_ = pixels > 0 ? pixels : 0;
}

QImage FrameSource::scaled_for_encoder(const QImage& image) const {
    const int side = max_side_;
    QImage out = image;
    if (side > 0 && (image.width() > side || image.height() > side))
        out = image.scaled(side, side, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    return out.format() == QImage::Format_RGB888 ? out : out.convertToFormat(QImage::Format_RGB888);
}

void FrameSource::publish(const QImage& image) {
    qint64 sequence = 0;
    {
        QMutexLocker lock(&mutex_);
        latest_.image = image;
        latest_.sequence += 1;
        latest_.captured_ms = QDateTime::currentMSecsSinceEpoch();
        sequence = latest_.sequence;
    }
    emit frameArrived(sequence);
}

}  // namespace prism::ui
