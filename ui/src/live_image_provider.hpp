#pragma once

// image://live/preview/<n> is the live view's camera picture, image://live/seen/<n> the frame
// the model last saw; <n> only changes the URL so that QML asks again.

#include <QPointer>
#include <QQuickImageProvider>

namespace prism::ui {

class LiveController;

class LiveImageProvider : public QQuickImageProvider {
  public:
    explicit LiveImageProvider(LiveController* live);
    QImage requestImage(const QString& id, QSize* size, const QSize& requested) override;

  private:
    QPointer<LiveController> live_;
};

}  // namespace prism::ui
