#pragma once

// The composer's microphone button: hold (or click to start and again to stop) to record from
// the microphone, then the recording becomes text with the Whisper model chosen in the
// settings and goes into the composer. Sound files attached for a model that cannot hear them
// become text the same way. Recording, decoding and transcription run off the UI thread.

#include <QList>
#include <QObject>
#include <QQmlEngine>
#include <QString>
#include <QStringList>
#include <QThread>
#include <functional>
#include <memory>

#include "capture_source.hpp"

namespace prism::ui {

class LiveSettings;
class TranscriptionWorker;

class DictationController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the dictation controller.")

    Q_PROPERTY(bool recording READ recording NOTIFY stateChanged)
    Q_PROPERTY(bool transcribing READ transcribing NOTIFY stateChanged)
    // Seconds recorded so far, for the button's label.
    Q_PROPERTY(double recordedSeconds READ recordedSeconds NOTIFY recordedChanged)
    // A Whisper model is chosen (or found), so sounds can become text.
    Q_PROPERTY(bool hasSpeechModel READ hasSpeechModel NOTIFY speechModelChanged)

  public:
    using SourceFactory = std::function<std::unique_ptr<SampleSource>()>;

    explicit DictationController(LiveSettings* settings, QObject* parent = nullptr);
    ~DictationController() override;

    // Where recordings come from; default: the system's default microphone.
    void set_source_factory(SourceFactory factory) { factory_ = std::move(factory); }
    SampleSource* source() { return source_.get(); }

    bool recording() const { return recording_; }
    bool transcribing() const { return transcribing_; }
    double recordedSeconds() const { return static_cast<double>(recorded_.size()) / 16000.0; }
    bool hasSpeechModel() const;

    Q_INVOKABLE void start();
    // Stops recording and transcribes what was recorded.
    Q_INVOKABLE void finish();
    // Stops recording and drops it.
    Q_INVOKABLE void cancel();
    // Transcribes sound files (in order, their texts joined) into `transcribed`, then says
    // which files became text (`filesTranscribed`); after a failure they are left as they were.
    Q_INVOKABLE void transcribeFiles(const QStringList& paths);

  signals:
    void stateChanged();
    void recordedChanged();
    void speechModelChanged();
    void transcribed(const QString& text);
    void filesTranscribed(const QStringList& paths);
    // Why nothing came of it, in plain words (no microphone, no speech model, nothing heard).
    void failed(const QString& reason);

  private:
    void release_source();
    // Loads the speech model on the worker when it changed; false (with `failed`) when none is
    // chosen.
    bool ensure_model_loading();

    LiveSettings* settings_;
    SourceFactory factory_;
    std::unique_ptr<SampleSource> source_;
    QThread thread_;
    TranscriptionWorker* worker_ = nullptr;  // lives on thread_
    QString loaded_model_;
    QStringList files_;  // the sound files being transcribed (none for the microphone)
    bool recording_ = false;
    bool source_failed_ = false;
    bool transcribing_ = false;
    quint64 request_ = 0;
    QList<float> recorded_;
};

}  // namespace prism::ui
