#pragma once

// Where live mode's pictures and sound come from: a frame source keeps only the newest picture
// (a consumer that is busy skips frames instead of queueing them) and a sample source emits
// 16 kHz mono float sound in small chunks. A camera and a microphone are one implementation
// each, a video file and a sound file the other, so live mode runs the same with or without
// devices. The engine never sees these types: consumers copy pixels and samples into the
// engine's own structures.

#include <QImage>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QString>

namespace prism::ui {

struct CapturedFrame {
    QImage image;            // scaled so its longer side is at most the source's max_side
    qint64 sequence = 0;     // 1 for the first frame a source delivers, 0: no frame yet
    qint64 captured_ms = 0;  // QDateTime::currentMSecsSinceEpoch() when it arrived
};

class FrameSource : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;

    // Starting a started source or stopping a stopped one does nothing.
    virtual void start() = 0;
    virtual void stop() = 0;
    virtual bool active() const = 0;
    // What the user sees in the live view: "Integrated Camera", "street.mp4".
    virtual QString description() const = 0;

    // The newest frame; any thread.
    CapturedFrame latest() const;
    // Pictures are scaled down (aspect kept) so the longer side is at most this many pixels;
    // the encoder's own input size, so no frame carries pixels the model throws away.
    void set_max_side(int pixels);
    int max_side() const { return max_side_; }
    // Frames that arrived while the previous one was still being converted (camera only).
    qint64 frames_dropped() const { return dropped_; }

  signals:
    void frameArrived(qint64 sequence);
    // A file source played to its end.
    void ended();
    // The source stopped for a reason the user should read (device unplugged, bad file).
    void failed(const QString& reason);

  protected:
    // Stores `image` (already scaled) as the newest frame and emits frameArrived.
    void publish(const QImage& image);
    QImage scaled_for_encoder(const QImage& image) const;
    void count_dropped() { ++dropped_; }

  private:
    mutable QMutex mutex_;
    CapturedFrame latest_;
    int max_side_ = 512;
    qint64 dropped_ = 0;
};

class SampleSource : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;

    virtual void start() = 0;
    virtual void stop() = 0;
    virtual bool active() const = 0;
    virtual QString description() const = 0;

  signals:
    // 16 kHz mono float samples, in order, in chunks of a few ms to a few tens of ms.
    void samples(const QList<float>& chunk);
    void ended();
    void failed(const QString& reason);
};

}  // namespace prism::ui
