#pragma once

// Spoken answers: sentences are queued as the answer is generated and spoken one after another;
// stop() silences at once and drops the queue (barge-in). The system implementation drives
// QTextToSpeech; tests that run without a sound card substitute their own SpeechOutput.

#include <QObject>
#include <QString>
#include <QStringList>
#include <memory>

class QTextToSpeech;

namespace prism::ui {

class SpeechOutput : public QObject {
    Q_OBJECT
  public:
    using QObject::QObject;

    virtual void say(const QString& sentence) = 0;
    virtual void stop() = 0;
    // Speaking or with sentences queued.
    virtual bool busy() const = 0;
    // Why nothing can be spoken ("" when speech works), for the live view.
    virtual QString unavailable_reason() const = 0;

  signals:
    // A sentence became audible (the first one of an answer gives the "first sound" time).
    void sentenceStarted(const QString& sentence);
    // Everything queued was spoken (not emitted after stop()).
    void finished();
    // Speech stopped working (no audio device, the engine failed); the reason in plain words.
    void failed(const QString& reason);
};

class SystemSpeechOutput : public SpeechOutput {
    Q_OBJECT
  public:
    explicit SystemSpeechOutput(QObject* parent = nullptr);
    ~SystemSpeechOutput() override;

    void say(const QString& sentence) override;
    void stop() override;
    bool busy() const override;
    QString unavailable_reason() const override;

  private:
    void next();

    std::unique_ptr<QTextToSpeech> engine_;
    QStringList queue_;
    QString current_;
};

}  // namespace prism::ui
