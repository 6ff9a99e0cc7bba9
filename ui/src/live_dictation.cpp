#include "live_dictation.hpp"

#include "capture_device_sources.hpp"
#include "live_listener.hpp"
#include "live_settings.hpp"

namespace prism::ui {
namespace {

// A click without speech records a fraction of a second; Whisper would make words up.
constexpr qsizetype kMinSamples = 16000 / 4;
// Whisper reads 30-s windows; dictation longer than two minutes is cut there.
constexpr qsizetype kMaxSamples = 120 * 16000;

}  // namespace

DictationController::DictationController(LiveSettings* settings, QObject* parent)
    : QObject(parent), settings_(settings) {
    worker_ = new TranscriptionWorker;
    worker_->moveToThread(&thread_);
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
    thread_.setObjectName(QStringLiteral("prism-dictation"));
    thread_.start();
    connect(worker_, &TranscriptionWorker::loaded, this, [this](bool ok, const QString& error) {
        if (ok) return;
        loaded_model_.clear();
        // The transcription queued behind the load would only repeat the failure.
        ++request_;
        files_.clear();
        transcribing_ = false;
        emit stateChanged();
        emit failed(tr("The speech model could not be loaded: %1").arg(error));
    });
    connect(worker_, &TranscriptionWorker::transcribed, this,
            [this](quint64 id, const QString& text, double) {
                if (id != request_) return;
                transcribing_ = false;
                emit stateChanged();
                const QString t = text.trimmed();
                const QStringList files = std::exchange(files_, {});
                if (t.isEmpty() || (t.startsWith(u'[') && t.endsWith(u']'))) {
                    emit failed(tr("No speech was heard."));
                } else {
                    emit transcribed(t);
                    if (!files.isEmpty()) emit filesTranscribed(files);
                }
            });
    if (settings_ != nullptr)
        connect(settings_, &LiveSettings::changed, this, &DictationController::speechModelChanged);
    connect(worker_, &TranscriptionWorker::failed, this, [this](quint64 id, const QString& error) {
        if (id != request_) return;
        files_.clear();
        transcribing_ = false;
        emit stateChanged();
        emit failed(error);
    });
}

DictationController::~DictationController() {
    release_source();
    thread_.quit();
    thread_.wait();
}

bool DictationController::hasSpeechModel() const {
    return settings_ != nullptr && !settings_->speechModel().isEmpty();
}

bool DictationController::ensure_model_loading() {
    const QString model = settings_ ? settings_->speechModel() : QString();
    if (model.isEmpty()) {
        emit failed(tr("Dictation needs a Whisper speech model; choose one in the settings."));
        return false;
    }
    if (model != loaded_model_) {
        loaded_model_ = model;
        QMetaObject::invokeMethod(
            worker_, [w = worker_, model] { w->load(model); }, Qt::QueuedConnection);
    }
    return true;
}

void DictationController::transcribeFiles(const QStringList& paths) {
    if (paths.isEmpty() || recording_ || !ensure_model_loading()) return;
    files_ = paths;
    transcribing_ = true;
    const quint64 id = ++request_;
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, paths] { w->transcribe_files(id, paths); },
        Qt::QueuedConnection);
    emit stateChanged();
}

void DictationController::start() {
    if (recording_) return;
    if (!hasSpeechModel()) {
        emit failed(tr("Dictation needs a Whisper speech model; choose one in the settings."));
        return;
    }
    source_ = factory_ ? factory_() : std::make_unique<MicrophoneSampleSource>();
    recorded_.clear();
    source_failed_ = false;
    connect(source_.get(), &SampleSource::samples, this, [this](const QList<float>& chunk) {
        if (!recording_ || recorded_.size() >= kMaxSamples) return;
        recorded_.append(chunk.first(std::min(chunk.size(), kMaxSamples - recorded_.size())));
        emit recordedChanged();
    });
    connect(source_.get(), &SampleSource::failed, this, [this](const QString& why) {
        source_failed_ = true;
        if (recording_) {
            recording_ = false;
            emit stateChanged();
        }
        emit failed(why);
    });
    recording_ = true;
    source_->start();
    if (source_failed_ || !source_->active()) {
        recording_ = false;
        release_source();
        if (!source_failed_) emit failed(tr("The microphone could not be started."));
        return;
    }
    ensure_model_loading();
    emit stateChanged();
    emit recordedChanged();
}

void DictationController::finish() {
    if (!recording_) return;
    recording_ = false;
    release_source();
    const QList<float> samples = std::exchange(recorded_, {});
    emit recordedChanged();
    if (samples.size() < kMinSamples) {
        emit stateChanged();
        emit failed(tr("The recording was too short; hold the button while you speak."));
        return;
    }
    transcribing_ = true;
    const quint64 id = ++request_;
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, samples] { w->transcribe(id, samples); }, Qt::QueuedConnection);
    emit stateChanged();
}

void DictationController::cancel() {
    recording_ = false;
    ++request_;
    transcribing_ = false;
    release_source();
    recorded_.clear();
    emit stateChanged();
    emit recordedChanged();
}

void DictationController::release_source() {
    if (!source_) return;
    source_->stop();
    source_->disconnect(this);
    // The source may be inside its own signal when this runs.
    source_.release()->deleteLater();
}

}  // namespace prism::ui
