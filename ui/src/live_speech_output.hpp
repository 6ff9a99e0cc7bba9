#pragma once

// Spoken answers: sentences are queued as the answer is generated and spoken one after another;
// stop() silences at once and drops the queue (barge-in).
//
// SynthesizedSpeechOutput owns its sound: each sentence is synthesized with espeak-ng off the
// UI thread, and played through a SpeakerSink in 10-ms blocks, at most 60 ms ahead of what is
// heard; every block also goes to the FarEndReference, which the microphone's echo canceller
// subtracts. (Qt TextToSpeech 6.4 plays by itself and hands out no samples; its synthesize()
// arrived in Qt 6.6.)

#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "speaker_sink.hpp"

namespace prism::ui {

class FarEndReference;

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
    // What is played, for the microphone's echo canceller (null: the output cannot say).
    virtual std::shared_ptr<FarEndReference> far_end_reference() const { return {}; }

  signals:
    // A sentence became audible (the first one of an answer gives the "first sound" time).
    void sentenceStarted(const QString& sentence);
    // Everything queued was spoken (not emitted after stop()).
    void finished();
    // Speech stopped working (no audio device, the engine failed); the reason in plain words.
    void failed(const QString& reason);
};

class SynthesizedSpeechOutput : public SpeechOutput {
    Q_OBJECT
  public:
    // Null `sink`: the default sound card.
    explicit SynthesizedSpeechOutput(std::unique_ptr<SpeakerSink> sink = nullptr,
                                     QObject* parent = nullptr);
    ~SynthesizedSpeechOutput() override;

    void say(const QString& sentence) override;
    void stop() override;
    bool busy() const override { return speaking_; }
    QString unavailable_reason() const override;
    std::shared_ptr<FarEndReference> far_end_reference() const override { return reference_; }

  private:
    struct Sentence {
        QString text;
        std::vector<std::int16_t> reference;  // 16 kHz
        std::vector<std::int16_t> played;     // the sink's rate
        std::size_t next_block = 0;
    };
    void synthesize_next();
    void pump();

    std::unique_ptr<SpeakerSink> sink_;
    std::shared_ptr<FarEndReference> reference_;
    QStringList to_synthesize_;
    bool synthesizing_ = false;
    // Bumped by stop(): syntheses started before it are dropped when they come back.
    std::uint64_t epoch_ = 0;
    std::deque<Sentence> ready_;
    bool speaking_ = false;
    QTimer pump_;
};

}  // namespace prism::ui
