#pragma once

// The play/stop button of an audio chip: plays one file through Qt Multimedia (QMediaPlayer and
// QAudioOutput on the default output). Without an output device, or when the player fails or
// does not start, it stops and says why in a few words for the chip; nothing blocks.

#include <QAudioOutput>
#include <QMediaPlayer>
#include <QObject>
#include <QQmlEngine>
#include <QTimer>
#include <QUrl>

namespace prism::ui {

class AudioClipPlayer : public QObject {
    Q_OBJECT
    QML_ELEMENT

    Q_PROPERTY(QUrl source READ source WRITE setSource NOTIFY sourceChanged)
    Q_PROPERTY(bool playing READ playing NOTIFY playingChanged)
    // Why the last play() gave no sound ("" while it plays or before any play()).
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)

  public:
    // A player that has not started playing this long after play() is given up.
    static constexpr int kStartTimeoutMs = 5000;

    explicit AudioClipPlayer(QObject* parent = nullptr);
    ~AudioClipPlayer() override;

    QUrl source() const { return source_; }
    void setSource(const QUrl& source);
    bool playing() const { return playing_; }
    QString error() const { return error_; }

    Q_INVOKABLE void play();
    Q_INVOKABLE void stop();
    // play() when stopped, stop() when playing.
    Q_INVOKABLE void toggle();

  signals:
    void sourceChanged();
    void playingChanged();
    void errorChanged();

  private:
    void set_playing(bool playing);
    void fail(const QString& reason);

    QUrl source_;
    bool playing_ = false;
    QString error_;
    // Made on the first play(): a chip that is never played opens no audio device.
    QMediaPlayer* player_ = nullptr;
    QAudioOutput* output_ = nullptr;
    QTimer start_timeout_;
};

}  // namespace prism::ui
