#pragma once

// The listening half of live mode, off the UI thread: VoiceActivityWorker runs Silero VAD on the
// microphone's samples and cuts utterances out of them (hands-free), TranscriptionWorker turns
// an utterance into text with Whisper. Each lives on its own thread so that a transcription
// in progress never delays noticing that the user speaks again (barge-in). They talk only
// through queued signals.

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>
#include <vector>

namespace prism {
class Transcriber;
namespace vad {
class VoiceActivityDetector;
class SpeechStream;
}  // namespace vad
}  // namespace prism

namespace prism::ui {

class FarEndReference;
class MicrophoneEchoFilter;

class VoiceActivityWorker : public QObject {
    Q_OBJECT
  public:
    explicit VoiceActivityWorker(QObject* parent = nullptr);
    ~VoiceActivityWorker() override;

    // Slots, run on the worker's thread (invoke them queued).
    // Loads a Silero VAD file; silence of `end_of_turn_ms` ends an utterance.
    void load(const QString& vad_model, int end_of_turn_ms);
    // What the speakers play: the microphone's echo of it is cancelled before the detector
    // hears it (null: no cancelling).
    void set_echo_reference(std::shared_ptr<FarEndReference> reference);
    // A microphone chunk and when it arrived (FarEndReference::clock_us()). Every chunk comes
    // here, so that the echo canceller sees the microphone without gaps; the detector hears it
    // only while `listening` (hands-free on, push-to-talk not held).
    void push(const QList<float>& chunk, qint64 arrived_us, bool listening);
    // Forgets the open utterance and the stream's state (the echo path learned is kept).
    void reset();

  signals:
    void loaded(bool ok, const QString& error);
    // Speech confirmed (it lasted past the detector's minimum): the user talks.
    void speechStarted();
    // The utterance is over: its samples, 16 kHz mono; `detected_ms` is when its end was seen.
    void utterance(const QList<float>& samples, qint64 detected_ms);

  private:
    void trim();

    std::unique_ptr<vad::VoiceActivityDetector> detector_;
    std::unique_ptr<vad::SpeechStream> stream_;
    std::unique_ptr<MicrophoneEchoFilter> echo_filter_;
    int end_of_turn_ms_ = 500;
    std::vector<float> buffer_;  // the stream's samples from `base_` on
    qint64 base_ = 0;
    bool in_speech_ = false;
    qint64 speech_begin_ = 0;
};

class TranscriptionWorker : public QObject {
    Q_OBJECT
  public:
    explicit TranscriptionWorker(QObject* parent = nullptr);
    ~TranscriptionWorker() override;

    // Loads a Whisper GGUF (again only when the path changed).
    void load(const QString& whisper_model);
    void transcribe(quint64 id, const QList<float>& samples);
    // Decodes the sound files and transcribes each whole (long ones window by window), their
    // texts joined; a file that cannot be decoded fails the request with its error line.
    void transcribe_files(quint64 id, const QStringList& paths);

  signals:
    void loaded(bool ok, const QString& error);
    void transcribed(quint64 id, const QString& text, double ms);
    void failed(quint64 id, const QString& error);

  private:
    QString path_;
    std::unique_ptr<Transcriber> transcriber_;
};

}  // namespace prism::ui
