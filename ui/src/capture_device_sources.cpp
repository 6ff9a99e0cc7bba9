#include "capture_device_sources.hpp"

#include <QAudioSource>
#include <QCamera>
#include <QCoreApplication>
#include <QMediaCaptureSession>
#include <QVideoSink>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <cmath>
#include <cstring>

namespace prism::ui {

QString multimedia_unavailable_reason() {
    // Qt loads its backend on first use; with no backend plugin the device lists stay empty
    // and a QCamera reports itself unavailable, which looks like "no camera". Looking for the
    // plugin tells the two apart.
    static const QString reason = [] {
        QCamera probe;
        if (!probe.isAvailable() && QMediaDevices::videoInputs().isEmpty() &&
            QMediaDevices::audioInputs().isEmpty() && QMediaDevices::audioOutputs().isEmpty()) {
            return QCoreApplication::translate(
                "Capture",
                "No camera, microphone or speaker was found. If this machine has them, the Qt "
                "Multimedia backend may be missing (Debian: qt6-multimedia-dev's "
                "libqt6multimedia6 with gstreamer1.0-plugins-base and -good).");
        }
        return QString();
    }();
    return reason;
}

QCameraFormat camera_format_for(const QCameraDevice& camera, int side) {
    QCameraFormat best;
    auto shorter = [](const QCameraFormat& f) {
        return std::min(f.resolution().width(), f.resolution().height());
    };
    auto pixels = [](const QCameraFormat& f) {
        return qint64(f.resolution().width()) * f.resolution().height();
    };
    for (const QCameraFormat& f : camera.videoFormats()) {
        if (f.maxFrameRate() < 15.0f && !best.isNull() && best.maxFrameRate() >= 15.0f) continue;
        if (best.isNull() || (best.maxFrameRate() < 15.0f && f.maxFrameRate() >= 15.0f)) {
            best = f;
            continue;
        }
        const bool covers = shorter(f) >= side;
        const bool best_covers = shorter(best) >= side;
        if (covers && (!best_covers || pixels(f) < pixels(best))) best = f;
        if (!covers && !best_covers && pixels(f) > pixels(best)) best = f;
    }
    return best;
}

CameraFrameSource::CameraFrameSource(const QCameraDevice& device, QObject* parent)
    : FrameSource(parent), device_(device.isNull() ? QMediaDevices::defaultVideoInput() : device) {
    connect(&devices_, &QMediaDevices::videoInputsChanged, this,
            &CameraFrameSource::devices_changed);
    connect(&converting_, &QFutureWatcher<QImage>::finished, this, [this] {
        const QImage image = converting_.result();
        if (!image.isNull()) publish(image);
    });
}

CameraFrameSource::~CameraFrameSource() {
    stop();
    converting_.waitForFinished();
}

QString CameraFrameSource::description() const {
    return device_.isNull() ? tr("no camera") : device_.description();
}

bool CameraFrameSource::active() const {
    return camera_ && camera_->isActive();
}

void CameraFrameSource::start() {
    if (camera_) return;
    if (device_.isNull()) {
        const QString why = multimedia_unavailable_reason();
        emit failed(why.isEmpty() ? tr("No camera was found.") : why);
        return;
    }
    lost_ = false;
    session_ = std::make_unique<QMediaCaptureSession>();
    camera_ = std::make_unique<QCamera>(device_);
    sink_ = std::make_unique<QVideoSink>();
    const QCameraFormat format = camera_format_for(device_, max_side() > 0 ? max_side() : 512);
    if (!format.isNull()) camera_->setCameraFormat(format);
    session_->setCamera(camera_.get());
    session_->setVideoSink(sink_.get());
    connect(sink_.get(), &QVideoSink::videoFrameChanged, this, &CameraFrameSource::frame_changed);
    connect(camera_.get(), &QCamera::errorOccurred, this,
            [this](QCamera::Error, const QString& text) {
                emit failed(tr("Camera %1: %2").arg(device_.description(), text));
            });
    camera_->start();
}

void CameraFrameSource::stop() {
    if (!camera_) return;
    camera_->stop();
    session_->setVideoSink(nullptr);
    session_->setCamera(nullptr);
    sink_.reset();
    camera_.reset();
    session_.reset();
}

void CameraFrameSource::frame_changed(const QVideoFrame& frame) {
    // One conversion at a time: a frame that arrives meanwhile is stale before it could be
    // used, so it is dropped rather than queued.
    if (converting_.isRunning()) {
        count_dropped();
        return;
    }
    converting_.setFuture(QtConcurrent::run([this, frame] {
        QVideoFrame copy = frame;
        return scaled_for_encoder(copy.toImage());
    }));
}

void CameraFrameSource::devices_changed() {
    if (device_.isNull() || lost_) return;
    const auto inputs = QMediaDevices::videoInputs();
    const bool present = std::any_of(inputs.begin(), inputs.end(), [this](const QCameraDevice& d) {
        return d.id() == device_.id();
    });
    if (present) return;
    lost_ = true;
    stop();
    emit failed(tr("The camera %1 was disconnected.").arg(device_.description()));
}

MicrophoneSampleSource::MicrophoneSampleSource(const QAudioDevice& device, QObject* parent)
    : SampleSource(parent), device_(device.isNull() ? QMediaDevices::defaultAudioInput() : device) {
    connect(&devices_, &QMediaDevices::audioInputsChanged, this,
            &MicrophoneSampleSource::devices_changed);
}

MicrophoneSampleSource::~MicrophoneSampleSource() {
    stop();
}

QString MicrophoneSampleSource::description() const {
    return device_.isNull() ? tr("no microphone") : device_.description();
}

bool MicrophoneSampleSource::active() const {
    return source_ && source_->state() == QAudio::ActiveState;
}

void MicrophoneSampleSource::start() {
    if (source_) return;
    if (device_.isNull()) {
        const QString why = multimedia_unavailable_reason();
        emit failed(why.isEmpty() ? tr("No microphone was found.") : why);
        return;
    }
    lost_ = false;
    QAudioFormat wanted;
    wanted.setSampleRate(16000);
    wanted.setChannelCount(1);
    wanted.setSampleFormat(QAudioFormat::Float);
    format_ = device_.isFormatSupported(wanted) ? wanted : device_.preferredFormat();
    resample_position_ = 0;
    last_sample_ = 0;
    source_ = std::make_unique<QAudioSource>(device_, format_);
    // 20 ms buffers keep the voice activity detector's reaction time short.
    source_->setBufferSize(format_.bytesForDuration(20000) * 4);
    io_ = source_->start();
    if (!io_) {
        const QString error = tr("The microphone %1 could not be opened.").arg(description());
        source_.reset();
        emit failed(error);
        return;
    }
    connect(io_, &QIODevice::readyRead, this, &MicrophoneSampleSource::read_available);
}

void MicrophoneSampleSource::stop() {
    if (!source_) return;
    source_->stop();
    source_.reset();
    io_ = nullptr;
}

void MicrophoneSampleSource::read_available() {
    if (!io_) return;
    const QByteArray bytes = io_->readAll();
    if (bytes.isEmpty()) return;
    QList<float> chunk = to_mono_16k(bytes, format_, resample_position_, last_sample_);
    if (!chunk.isEmpty()) emit samples(chunk);
}

void MicrophoneSampleSource::devices_changed() {
    if (device_.isNull() || lost_) return;
    const auto inputs = QMediaDevices::audioInputs();
    const bool present = std::any_of(inputs.begin(), inputs.end(), [this](const QAudioDevice& d) {
        return d.id() == device_.id();
    });
    if (present) return;
    lost_ = true;
    stop();
    emit failed(tr("The microphone %1 was disconnected.").arg(device_.description()));
}

QList<float> to_mono_16k(const QByteArray& bytes, const QAudioFormat& format, double& position,
                         float& previous) {
    const int channels = std::max(1, format.channelCount());
    const int bytes_per_sample = format.bytesPerSample();
    if (bytes_per_sample <= 0 || format.sampleRate() <= 0) return {};
    const qsizetype frames = bytes.size() / (bytes_per_sample * channels);
    QList<float> mono(frames);
    const char* data = bytes.constData();
    for (qsizetype i = 0; i < frames; ++i) {
        float sum = 0;
        for (int c = 0; c < channels; ++c) {
            sum += format.normalizedSampleValue(data + (i * channels + c) * bytes_per_sample);
        }
        mono[i] = sum / static_cast<float>(channels);
    }
    if (format.sampleRate() == 16000) return mono;
    // Linear interpolation between the previous chunk's last sample and this chunk: enough for
    // speech recognition and voice detection, which look at energy below 8 kHz.
    const double step = static_cast<double>(format.sampleRate()) / 16000.0;
    QList<float> out;
    out.reserve(static_cast<qsizetype>(static_cast<double>(frames) / step) + 1);
    while (position < static_cast<double>(frames)) {
        const double at = position - 1.0;  // index -1 is `previous`
        const auto i = static_cast<qsizetype>(std::floor(at));
        const float frac = static_cast<float>(at - std::floor(at));
        const float a = i < 0 ? previous : mono[i];
        const float b = i + 1 < frames ? mono[i + 1] : a;
        out.append(a + (b - a) * frac);
        position += step;
    }
    position -= static_cast<double>(frames);
    if (frames > 0) previous = mono[frames - 1];
    return out;
}

}  // namespace prism::ui
