#pragma once

// Capture from real devices through Qt Multimedia: a camera (QCamera into a QVideoSink, in the
// smallest format that still covers the encoder's input, converted to RGB off the UI thread)
// and a microphone (QAudioSource at 16 kHz mono, or the device's own format mixed down and
// resampled). A device that disappears is reported through failed() once; the other source
// keeps running.

#include <QAudioDevice>
#include <QAudioFormat>
#include <QCameraDevice>
#include <QCameraFormat>
#include <QFutureWatcher>
#include <QMediaDevices>
#include <QPointer>
#include <QVideoFrame>
#include <memory>

#include "capture_source.hpp"

class QAudioSource;
class QCamera;
class QIODevice;
class QMediaCaptureSession;
class QVideoSink;

namespace prism::ui {

// Why capture cannot work at all in this build or on this system ("" when it can): the
// multimedia backend missing, for instance.
QString multimedia_unavailable_reason();

// The format of `camera` to ask for when pictures are scaled to `side` pixels: the smallest
// whose shorter side still covers `side` (or the largest there is), at 15 frames per second or
// more when the camera offers that.
QCameraFormat camera_format_for(const QCameraDevice& camera, int side);

class CameraFrameSource : public FrameSource {
    Q_OBJECT
  public:
    // A null device means the system's default camera.
    explicit CameraFrameSource(const QCameraDevice& device = {}, QObject* parent = nullptr);
    ~CameraFrameSource() override;

    void start() override;
    void stop() override;
    bool active() const override;
    QString description() const override;

  private:
    void frame_changed(const QVideoFrame& frame);
    void devices_changed();

    QCameraDevice device_;
    QMediaDevices devices_;
    std::unique_ptr<QMediaCaptureSession> session_;
    std::unique_ptr<QCamera> camera_;
    std::unique_ptr<QVideoSink> sink_;
    QFutureWatcher<QImage> converting_;
    bool lost_ = false;
};

class MicrophoneSampleSource : public SampleSource {
    Q_OBJECT
  public:
    explicit MicrophoneSampleSource(const QAudioDevice& device = {}, QObject* parent = nullptr);
    ~MicrophoneSampleSource() override;

    void start() override;
    void stop() override;
    bool active() const override;
    QString description() const override;

  private:
    void read_available();
    void devices_changed();

    QAudioDevice device_;
    QAudioFormat format_;
    QMediaDevices devices_;
    std::unique_ptr<QAudioSource> source_;
    QPointer<QIODevice> io_;
    double resample_position_ = 0;  // fractional read position carried between chunks
    float last_sample_ = 0;
    bool lost_ = false;
};

// Mono float at `format`'s rate from interleaved samples in `format`, then linearly resampled
// to 16 kHz. `position` and `previous` carry the resampler's state between chunks.
QList<float> to_mono_16k(const QByteArray& bytes, const QAudioFormat& format, double& position,
                         float& previous);

}  // namespace prism::ui
