#include "capture_file_sources.hpp"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <exception>

#include "prism/media/audio.hpp"
#include "prism/media/video.hpp"

namespace prism::ui {
namespace {

// 20 ms at 16 kHz: the size of a typical audio callback.
constexpr int kChunkSamples = 320;
constexpr int kChunkMs = 20;
// Fast pace sends bigger chunks so a 10-s clip takes a few event-loop turns, not hundreds.
constexpr int kFastChunkSamples = 4096;

QImage to_qimage(const media::Image& image) {
    QImage out(image.width, image.height, QImage::Format_RGB888);
    for (int y = 0; y < image.height; ++y) {
        std::copy_n(image.rgb.data() + static_cast<std::size_t>(y) * image.width * 3,
                    static_cast<std::size_t>(image.width) * 3, out.scanLine(y));
    }
    return out;
}

}  // namespace

FileFrameSource::FileFrameSource(const QString& path, Pace pace, double frames_per_second,
                                 QObject* parent)
    : FrameSource(parent),
      path_(path),
      pace_(pace),
      fps_(std::clamp(frames_per_second, 0.1, 30.0)) {
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, &FileFrameSource::next_frame);
    connect(&decoding_, &QFutureWatcher<std::shared_ptr<media::Video>>::finished, this,
            &FileFrameSource::decoded);
}

FileFrameSource::~FileFrameSource() {
    decoding_.waitForFinished();
}

QString FileFrameSource::description() const {
    return QFileInfo(path_).fileName();
}

void FileFrameSource::start() {
    if (active_) return;
    active_ = true;
    if (video_) {
        timer_.start(pace_ == Pace::fast ? 0 : static_cast<int>(1000.0 / fps_));
        return;
    }
    if (decoding_.isRunning()) return;
    media::VideoSampling sampling;
    sampling.frames_per_second = fps_;
    sampling.max_frames = 1024;
    sampling.max_frame_side = std::max(16, max_side() > 0 ? max_side() : 1024);
    sampling.audio = false;
    const std::string path = path_.toStdString();
    decoding_.setFuture(QtConcurrent::run([path, sampling] {
        // The error travels as a video without frames whose name holds the message.
        try {
            return std::make_shared<media::Video>(media::decode_video_file(path, sampling));
        } catch (const std::exception& e) {
            auto failed = std::make_shared<media::Video>();
            failed->name = e.what();
            return failed;
        }
    }));
}

void FileFrameSource::decoded() {
    auto video = decoding_.result();
    if (video->frames.empty()) {
        active_ = false;
        emit failed(QString::fromStdString(video->name));
        return;
    }
    video_ = std::move(video);
    next_ = 0;
    if (active_) timer_.start(pace_ == Pace::fast ? 0 : static_cast<int>(1000.0 / fps_));
}

void FileFrameSource::stop() {
    active_ = false;
    timer_.stop();
}

void FileFrameSource::next_frame() {
    if (video_ && loop_ && next_ >= video_->frames.size()) next_ = 0;
    if (!video_ || next_ >= video_->frames.size()) {
        stop();
        emit ended();
        return;
    }
    publish(scaled_for_encoder(to_qimage(video_->frames[next_].image)));
    ++next_;
    ++played_;
}

FileSampleSource::FileSampleSource(Pace pace, QObject* parent) : SampleSource(parent), pace_(pace) {
    timer_.setTimerType(Qt::PreciseTimer);
    connect(&timer_, &QTimer::timeout, this, &FileSampleSource::tick);
}

FileSampleSource::~FileSampleSource() {
    for (Queued& q : queue_) q.decoding->waitForFinished();
}

QString FileSampleSource::description() const {
    if (!current_name_.isEmpty()) return current_name_;
    return queue_.empty() ? tr("sound file") : QFileInfo(queue_.front().path).fileName();
}

void FileSampleSource::play(const QString& path) {
    Queued q{path, std::make_unique<QFutureWatcher<std::shared_ptr<media::Audio>>>()};
    const std::string file = path.toStdString();
    q.decoding->setFuture(QtConcurrent::run([file] {
        try {
            return std::make_shared<media::Audio>(media::decode_audio_file(file));
        } catch (const std::exception& e) {
            auto failed = std::make_shared<media::Audio>();
            failed->name = e.what();
            failed->sample_rate = 0;  // marks the error
            return failed;
        }
    }));
    connect(q.decoding.get(), &QFutureWatcher<std::shared_ptr<media::Audio>>::finished, this,
            &FileSampleSource::take_decoded);
    queue_.push_back(std::move(q));
    start();
}

void FileSampleSource::start() {
    if (active_) return;
    active_ = true;
    timer_.start(kChunkMs);
}

void FileSampleSource::stop() {
    active_ = false;
    timer_.stop();
}

void FileSampleSource::take_decoded() {
    // Files play in the order queued, whichever finishes decoding first.
    while (!current_ && !queue_.empty() && queue_.front().decoding->isFinished()) {
        auto audio = queue_.front().decoding->result();
        const QString path = queue_.front().path;
        queue_.pop_front();
        if (audio->sample_rate == 0) {
            emit failed(QString::fromStdString(audio->name));
            continue;
        }
        current_ = std::move(audio);
        current_name_ = QFileInfo(path).fileName();
        position_ = 0;
    }
    if (active_ && current_ && pace_ == Pace::fast) timer_.start(0);
}

void FileSampleSource::tick() {
    if (!current_) take_decoded();
    if (!current_) {
        if (pace_ == Pace::fast) timer_.start(kChunkMs);
        if (silence_when_idle_) {
            emit samples(QList<float>(kChunkSamples, 0.0f));
            emitted_ += kChunkSamples;
        } else if (queue_.empty()) {
            stop();
        }
        return;
    }
    const std::size_t chunk = pace_ == Pace::fast ? kFastChunkSamples : kChunkSamples;
    const std::size_t n = std::min(chunk, current_->samples.size() - position_);
    QList<float> out(current_->samples.begin() + static_cast<std::ptrdiff_t>(position_),
                     current_->samples.begin() + static_cast<std::ptrdiff_t>(position_ + n));
    position_ += n;
    emitted_ += static_cast<qint64>(n);
    emit samples(out);
    if (position_ >= current_->samples.size()) {
        current_.reset();
        current_name_.clear();
        take_decoded();
        if (!current_ && queue_.empty()) emit ended();
    }
}

}  // namespace prism::ui
