#pragma once

// File-backed capture: a video file stands in for a camera, a sound file for a microphone.
// They play at the file's own pace (a recorded session replayed) or as fast as the event loop
// turns (tests, benchmarks). Decoding runs off the UI thread through the engine's FFmpeg
// decoders; a file that cannot be decoded is reported through failed() and the source stays
// usable (play another file).

#include <QFutureWatcher>
#include <QList>
#include <QString>
#include <QTimer>
#include <deque>
#include <memory>

#include "capture_source.hpp"

namespace prism::media {
struct Video;
struct Audio;
}  // namespace prism::media

namespace prism::ui {

enum class Pace { real_time, fast };

class FileFrameSource : public FrameSource {
    Q_OBJECT
  public:
    // Pictures are taken at `frames_per_second` of video time (at most 30, the decoder's
    // limit); at most 1024 of them are kept, spread over a longer video, so memory is bounded
    // by 1024 pictures of max_side().
    FileFrameSource(const QString& path, Pace pace, double frames_per_second = 30.0,
                    QObject* parent = nullptr);
    ~FileFrameSource() override;

    void start() override;
    void stop() override;
    bool active() const override { return active_; }
    QString description() const override;

    // Pictures published so far.
    qint64 frames_played() const { return played_; }
    // Start again from the first picture at the end instead of ending (a camera that never
    // stops, for soak runs).
    void set_loop(bool on) { loop_ = on; }

  private:
    void next_frame();
    void decoded();

    QString path_;
    Pace pace_;
    double fps_;
    bool active_ = false;
    bool loop_ = false;
    QTimer timer_;
    QFutureWatcher<std::shared_ptr<media::Video>> decoding_;
    std::shared_ptr<media::Video> video_;
    std::size_t next_ = 0;
    qint64 played_ = 0;
    QString error_;
};

class FileSampleSource : public SampleSource {
    Q_OBJECT
  public:
    explicit FileSampleSource(Pace pace, QObject* parent = nullptr);
    ~FileSampleSource() override;

    // Queues a sound file (any format decode_audio_file reads); it plays after those queued
    // before it. Starts the source when it is not running.
    void play(const QString& path);
    // Between files, a microphone in a quiet room: zeros at real time (also in fast pace, so
    // an idle source does not spin). Off: nothing is emitted between files.
    void set_silence_when_idle(bool on) { silence_when_idle_ = on; }

    void start() override;
    void stop() override;
    bool active() const override { return active_; }
    QString description() const override;

    qint64 samples_emitted() const { return emitted_; }
    // True while a file (not idle silence) is being played or decoded.
    bool playing() const { return !queue_.empty() || current_ != nullptr; }

  private:
    struct Queued {
        QString path;
        std::unique_ptr<QFutureWatcher<std::shared_ptr<media::Audio>>> decoding;
    };
    void tick();
    void take_decoded();

    Pace pace_;
    bool active_ = false;
    bool silence_when_idle_ = false;
    QTimer timer_;
    std::deque<Queued> queue_;
    std::shared_ptr<media::Audio> current_;
    QString current_name_;
    std::size_t position_ = 0;
    qint64 emitted_ = 0;
};

}  // namespace prism::ui
