#include "live_listener.hpp"

#include <QDateTime>
#include <QElapsedTimer>
#include <algorithm>
#include <exception>
#include <span>

#include "live_echo_canceller.hpp"
#include "prism/media/audio.hpp"
#include "prism/transcriber.hpp"
#include "prism/vad.hpp"

namespace prism::ui {
namespace {

// Sound kept before the open utterance (or before now, in silence): enough for the detector's
// padding, bounded so that hours of listening use no more memory than minutes.
constexpr qint64 kKeepSamples = 2 * 16000;
// An utterance longer than this loses its start: Whisper reads 30-s windows, and a turn that
// long is a monologue rather than a question.
constexpr qint64 kMaxUtteranceSamples = 60 * 16000;

}  // namespace

VoiceActivityWorker::VoiceActivityWorker(QObject* parent) : QObject(parent) {}
VoiceActivityWorker::~VoiceActivityWorker() = default;

void VoiceActivityWorker::load(const QString& vad_model, int end_of_turn_ms) {
    try {
        auto detector = std::make_unique<vad::VoiceActivityDetector>(
            vad::VoiceActivityDetector::load(vad_model.toStdString()));
        end_of_turn_ms_ = std::max(0, end_of_turn_ms);
        vad::SegmenterOptions options;
        options.min_silence_ms = end_of_turn_ms_;
        vad::check_options(options);
        stream_ = std::make_unique<vad::SpeechStream>(*detector, options);
        detector_ = std::move(detector);
        buffer_.clear();
        base_ = 0;
        in_speech_ = false;
        emit loaded(true, {});
    } catch (const std::exception& e) {
        stream_.reset();
        detector_.reset();
        emit loaded(false, QString::fromUtf8(e.what()));
    }
}

void VoiceActivityWorker::set_echo_reference(std::shared_ptr<FarEndReference> reference) {
    echo_filter_ =
        reference ? std::make_unique<MicrophoneEchoFilter>(std::move(reference)) : nullptr;
}

void VoiceActivityWorker::reset() {
    if (!detector_) return;
    vad::SegmenterOptions options;
    options.min_silence_ms = end_of_turn_ms_;
    stream_ = std::make_unique<vad::SpeechStream>(*detector_, options);
    buffer_.clear();
    base_ = 0;
    in_speech_ = false;
}

void VoiceActivityWorker::push(const QList<float>& raw, qint64 arrived_us, bool listening) {
    std::vector<float> cleaned;
    std::span<const float> chunk(raw.data(), raw.size());
    if (echo_filter_) {
        cleaned = echo_filter_->push(chunk, arrived_us);
        chunk = cleaned;
    }
    if (!stream_ || !listening) return;
    buffer_.insert(buffer_.end(), chunk.begin(), chunk.end());
    const auto events = stream_->push(chunk);
    for (const vad::SpeechEvent& e : events) {
        if (e.kind == vad::SpeechEvent::Kind::started) {
            in_speech_ = true;
            speech_begin_ = e.segment.begin;
            emit speechStarted();
            continue;
        }
        in_speech_ = false;
        const qint64 begin = std::max<qint64>(e.segment.begin, base_);
        const qint64 end = std::min<qint64>(e.segment.end, base_ + qint64(buffer_.size()));
        if (end > begin) {
            QList<float> samples(buffer_.begin() + (begin - base_),
                                 buffer_.begin() + (end - base_));
            emit utterance(samples, QDateTime::currentMSecsSinceEpoch());
        }
    }
    trim();
}

void VoiceActivityWorker::trim() {
    const qint64 end = base_ + qint64(buffer_.size());
    qint64 keep_from = end - kKeepSamples;
    if (in_speech_) keep_from = std::max(speech_begin_ - kKeepSamples, end - kMaxUtteranceSamples);
    if (keep_from <= base_) return;
    buffer_.erase(buffer_.begin(), buffer_.begin() + (keep_from - base_));
    base_ = keep_from;
}

TranscriptionWorker::TranscriptionWorker(QObject* parent) : QObject(parent) {}
TranscriptionWorker::~TranscriptionWorker() = default;

void TranscriptionWorker::load(const QString& whisper_model) {
    if (transcriber_ && whisper_model == path_) {
        emit loaded(true, {});
        return;
    }
    try {
        transcriber_ = std::make_unique<Transcriber>(whisper_model.toStdString());
        path_ = whisper_model;
        emit loaded(true, {});
    } catch (const std::exception& e) {
        transcriber_.reset();
        path_.clear();
        emit loaded(false, QString::fromUtf8(e.what()));
    }
}

void TranscriptionWorker::transcribe(quint64 id, const QList<float>& samples) {
    if (!transcriber_) {
        emit failed(id, tr("No speech recognition model is loaded."));
        return;
    }
    try {
        QElapsedTimer timer;
        timer.start();
        TranscribeOptions options;
        // One utterance is one window: no timestamps, no fallback to sampling, so a turn
        // costs one encode and a greedy decode.
        options.timestamps = false;
        options.temperatures = {0.0f};
        options.condition_on_previous_text = false;
        const Transcript result = transcriber_->transcribe(
            std::span<const float>(samples.data(), samples.size()), options);
        emit transcribed(id, QString::fromStdString(result.text()),
                         static_cast<double>(timer.nsecsElapsed()) / 1e6);
    } catch (const std::exception& e) {
        emit failed(id, QString::fromUtf8(e.what()));
    }
}

void TranscriptionWorker::transcribe_files(quint64 id, const QStringList& paths) {
    if (!transcriber_) {
        emit failed(id, tr("No speech recognition model is loaded."));
        return;
    }
    try {
        QElapsedTimer timer;
        timer.start();
        QStringList texts;
        for (const QString& path : paths) {
            const media::Audio audio = media::decode_audio_file(path.toStdString());
            const Transcript result = transcriber_->transcribe(
                std::span<const float>(audio.samples.data(), audio.samples.size()), {});
            texts.append(QString::fromStdString(result.text()).trimmed());
        }
        emit transcribed(id, texts.join(u' '), static_cast<double>(timer.nsecsElapsed()) / 1e6);
    } catch (const std::exception& e) {
        emit failed(id, QString::fromUtf8(e.what()));
    }
}

}  // namespace prism::ui
