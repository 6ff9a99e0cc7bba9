#include "live_speech_output.hpp"

#include <QTextToSpeech>

namespace prism::ui {

SystemSpeechOutput::SystemSpeechOutput(QObject* parent)
    : SpeechOutput(parent), engine_(std::make_unique<QTextToSpeech>()) {
    connect(engine_.get(), &QTextToSpeech::stateChanged, this, [this](QTextToSpeech::State s) {
        if (s == QTextToSpeech::Error) {
            queue_.clear();
            current_.clear();
            emit failed(unavailable_reason());
            return;
        }
        if (s == QTextToSpeech::Speaking && !current_.isEmpty()) emit sentenceStarted(current_);
        if (s == QTextToSpeech::Ready && !current_.isEmpty()) {
            current_.clear();
            next();
        }
    });
}

SystemSpeechOutput::~SystemSpeechOutput() = default;

QString SystemSpeechOutput::unavailable_reason() const {
    if (QTextToSpeech::availableEngines().isEmpty())
        return tr("No speech engine is installed (Debian: qt6-speech-flite-plugin).");
    if (engine_->state() == QTextToSpeech::Error)
        return tr("Answers cannot be spoken: %1").arg(engine_->errorString());
    return {};
}

void SystemSpeechOutput::say(const QString& sentence) {
    if (sentence.trimmed().isEmpty()) return;
    queue_.append(sentence);
    if (current_.isEmpty()) next();
}

void SystemSpeechOutput::next() {
    if (queue_.isEmpty()) {
        emit finished();
        return;
    }
    if (engine_->state() == QTextToSpeech::Error) {
        queue_.clear();
        return;
    }
    current_ = queue_.takeFirst();
    engine_->say(current_);
}

void SystemSpeechOutput::stop() {
    queue_.clear();
    current_.clear();
    engine_->stop();
}

bool SystemSpeechOutput::busy() const {
    return !current_.isEmpty() || !queue_.isEmpty();
}

}  // namespace prism::ui
