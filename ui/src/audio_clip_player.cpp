#include "audio_clip_player.hpp"

#include <QAudioDevice>
#include <QMediaDevices>

namespace prism::ui {

AudioClipPlayer::AudioClipPlayer(QObject* parent) : QObject(parent) {
    start_timeout_.setSingleShot(true);
    start_timeout_.setInterval(kStartTimeoutMs);
    connect(&start_timeout_, &QTimer::timeout, this,
            [this] { fail(tr("Playback did not start")); });
}

AudioClipPlayer::~AudioClipPlayer() = default;

void AudioClipPlayer::setSource(const QUrl& source) {
    if (source == source_) return;
    stop();
    source_ = source;
    if (player_ != nullptr) player_->setSource(source_);
    emit sourceChanged();
}

void AudioClipPlayer::play() {
    if (playing_) return;
    if (!error_.isEmpty()) {
        error_.clear();
        emit errorChanged();
    }
    if (source_.isEmpty()) {
        fail(tr("Nothing to play"));
        return;
    }
    // Asked first: some backends take a missing device for a silent one and play into nothing.
    if (QMediaDevices::audioOutputs().isEmpty()) {
        fail(tr("No sound output on this computer"));
        return;
    }
    if (player_ == nullptr) {
        player_ = new QMediaPlayer(this);
        output_ = new QAudioOutput(QMediaDevices::defaultAudioOutput(), this);
        player_->setAudioOutput(output_);
        connect(player_, &QMediaPlayer::errorOccurred, this,
                [this](QMediaPlayer::Error, const QString& text) {
                    fail(text.isEmpty() ? tr("The sound could not be played") : text);
                });
        connect(player_, &QMediaPlayer::playbackStateChanged, this,
                [this](QMediaPlayer::PlaybackState state) {
                    if (state == QMediaPlayer::PlayingState) start_timeout_.stop();
                    if (state == QMediaPlayer::StoppedState) set_playing(false);
                });
        connect(player_, &QMediaPlayer::mediaStatusChanged, this,
                [this](QMediaPlayer::MediaStatus status) {
                    if (status == QMediaPlayer::BufferedMedia) start_timeout_.stop();
                    if (status == QMediaPlayer::InvalidMedia)
                        fail(tr("The sound could not be played"));
                });
        player_->setSource(source_);
    }
    set_playing(true);
    start_timeout_.start();
    player_->play();
}

void AudioClipPlayer::stop() {
    start_timeout_.stop();
    if (player_ != nullptr) player_->stop();
    set_playing(false);
}

void AudioClipPlayer::toggle() {
    if (playing_)
        stop();
    else
        play();
}

void AudioClipPlayer::set_playing(bool playing) {
    if (playing == playing_) return;
    playing_ = playing;
    emit playingChanged();
}

void AudioClipPlayer::fail(const QString& reason) {
    start_timeout_.stop();
    if (player_ != nullptr) player_->stop();
    set_playing(false);
    error_ = reason;
    emit errorChanged();
}

}  // namespace prism::ui
