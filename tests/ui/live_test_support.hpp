#pragma once

// Live-mode test helpers: a speech output that records instead of sounding, so that a test
// sets how long an answer stays audible whatever the model says (the real output, espeak-ng
// into a memory speaker, is tested in test_echo_cancellation.cpp), and where the live
// fixtures are.

#include <QDir>
#include <QFile>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "app_context.hpp"
#include "live_speech_output.hpp"

namespace prism::ui::test {

// Speaks nothing; each sentence "plays" for `ms_per_word` per word of text, so that an answer
// is audible for a while, as a real voice would be.
// (No Q_OBJECT: it adds no signals or slots of its own.)
class RecordingSpeechOutput : public SpeechOutput {
  public:
    explicit RecordingSpeechOutput(int ms_per_word = 20) : ms_per_word_(ms_per_word) {
        timer_.setSingleShot(true);
        connect(&timer_, &QTimer::timeout, this, [this] {
            current_.clear();
            play_next();
        });
    }

    void say(const QString& sentence) override {
        queued_.append(sentence);
        said.append(sentence);
        if (current_.isEmpty()) play_next();
    }
    void stop() override {
        if (busy()) ++stopped_while_busy;
        queued_.clear();
        current_.clear();
        timer_.stop();
    }
    bool busy() const override { return !current_.isEmpty() || !queued_.isEmpty(); }
    QString unavailable_reason() const override { return {}; }

    QStringList said;    // every sentence handed over, in order
    QStringList spoken;  // those that started playing
    int stopped_while_busy = 0;

  private:
    void play_next() {
        if (queued_.isEmpty()) {
            emit finished();
            return;
        }
        current_ = queued_.takeFirst();
        spoken.append(current_);
        emit sentenceStarted(current_);
        timer_.start(ms_per_word_ * static_cast<int>(current_.split(u' ').size()));
    }

    int ms_per_word_;
    QStringList queued_;
    QString current_;
    QTimer timer_;
};

// An app whose settings, history and model folder live in `folder` (a temporary one), so the
// user's own stay untouched.
inline AppOptions profile_in(const QString& folder) {
    AppOptions options;
    options.settings_file = folder + QStringLiteral("/prism.conf");
    options.data_folder = folder + QStringLiteral("/data");
    options.model_folders = {folder + QStringLiteral("/models")};
    return options;
}

inline QString test_data_path(const QString& relative) {
    return QStringLiteral(PRISM_TEST_DATA_DIR "/") + relative;
}

// The Whisper model tools/fetch_models.py puts in the model cache.
inline QString whisper_model_path() {
    const QString cache = qEnvironmentVariableIsSet("PRISM_MODEL_CACHE")
                              ? qEnvironmentVariable("PRISM_MODEL_CACHE")
                              : QDir::homePath() + QStringLiteral("/.cache/prism/models");
    return cache + QStringLiteral("/whisper-tiny.en.gguf");
}

// Why a test that runs Whisper cannot run here ("" when it can): only a missing model. With
// texel reads the encoder takes about 7 s a 30-s window on lavapipe, so these run everywhere.
inline QString whisper_test_unavailable() {
    if (!QFile::exists(whisper_model_path()))
        return whisper_model_path() +
               QStringLiteral(" is absent (fetch it with tools/fetch_models.py)");
    return {};
}

}  // namespace prism::ui::test
