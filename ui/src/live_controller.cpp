#include "live_controller.hpp"

#include <QBuffer>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

#include "capture_device_sources.hpp"
#include "data/conversation_store.hpp"
#include "data/history_types.hpp"
#include "data/settings_store.hpp"
#include "engine_controller.hpp"
#include "live_echo_reference.hpp"
#include "live_listener.hpp"
#include "live_settings.hpp"
#include "live_speech_output.hpp"
#include "wav_file.hpp"

namespace prism::ui {
namespace {

qint64 now_ms() {
    return QDateTime::currentMSecsSinceEpoch();
}

// Earlier exchanges the model sees as text with each new question: enough for "and what
// about that?", few enough that the context never fills in a long session.
constexpr int kContextTurns = 4;
// Push-to-talk shorter than this was a tap, not a question.
constexpr qsizetype kMinUtteranceSamples = 16000 / 5;
// The preview is redrawn at most this often, however fast frames arrive.
constexpr qint64 kPreviewIntervalMs = 50;

// Whisper's words for "nothing was said" on noise or silence.
bool is_empty_transcript(const QString& text) {
    QString t = text.trimmed();
    if (t.isEmpty()) return true;
    return (t.startsWith(u'[') && t.endsWith(u']')) || (t.startsWith(u'(') && t.endsWith(u')'));
}

constexpr int kSampleRate = 16000;

// A LiveLatency figure as the history stores it (-1, not measured: NULL).
std::optional<double> measured(double ms) {
    return ms >= 0 ? std::optional(ms) : std::nullopt;
}

// What the live view and the history show for a question asked as sound, until (or without)
// Whisper's text.
QString sound_question(qsizetype samples) {
    return QObject::tr("(spoken question, %1 s)")
        .arg(static_cast<double>(samples) / kSampleRate, 0, 'f', 1);
}

// The spoken question as an attachment the engine worker sends without a file; the id keys the
// worker's cache of decoded parts.
ImageAttachment utterance_part(const LiveTurn& turn, int index) {
    ImageAttachment a;
    a.id = QStringLiteral("live-utterance-%1").arg(index);
    a.name = a.id + QStringLiteral(".wav");
    a.kind = AttachmentKind::audio;
    a.duration_seconds = static_cast<double>(turn.utterance.size()) / kSampleRate;
    a.samples = turn.utterance;
    return a;
}

}  // namespace

LiveController::LiveController(EngineController* engine, SettingsStore* settings,
                               ConversationStore* history, LiveSettings* live_settings,
                               QObject* parent)
    : QObject(parent),
      engine_(engine),
      settings_(settings),
      history_(history),
      live_settings_(live_settings) {
    vad_ = new VoiceActivityWorker;
    vad_->moveToThread(&vad_thread_);
    connect(&vad_thread_, &QThread::finished, vad_, &QObject::deleteLater);
    transcriber_ = new TranscriptionWorker;
    transcriber_->moveToThread(&asr_thread_);
    connect(&asr_thread_, &QThread::finished, transcriber_, &QObject::deleteLater);
    vad_thread_.setObjectName(QStringLiteral("prism-vad"));
    asr_thread_.setObjectName(QStringLiteral("prism-asr"));
    vad_thread_.start();
    asr_thread_.start();

    connect(vad_, &VoiceActivityWorker::loaded, this, [this](bool ok, const QString& error) {
        vad_ready_ = ok;
        if (!ok) add_notice(tr("Hands-free listening is off: %1").arg(error));
    });
    connect(vad_, &VoiceActivityWorker::speechStarted, this, &LiveController::on_speech_started);
    connect(vad_, &VoiceActivityWorker::utterance, this, &LiveController::on_utterance);
    connect(transcriber_, &TranscriptionWorker::loaded, this,
            [this](bool ok, const QString& error) {
                asr_ready_ = ok;
                if (ok) return;
                add_notice(model_hears() ? tr("What you say is not shown as text: %1").arg(error)
                                         : tr("Spoken questions are off: %1").arg(error));
            });
    connect(transcriber_, &TranscriptionWorker::transcribed, this, &LiveController::on_transcribed);
    connect(transcriber_, &TranscriptionWorker::failed, this,
            [this](quint64 id, const QString& error) {
                if (id != last_transcription_) return;
                transcribing_ = false;
                add_notice(error);
                update_idle_state();
            });

    if (engine_) {
        connect(engine_, &EngineController::piece, this, &LiveController::on_piece);
        connect(engine_, &EngineController::generationFinished, this,
                [this](quint64 id, const AnswerTimings& stats) { on_finished(id, stats, {}); });
        connect(engine_, &EngineController::generationFailed, this,
                [this](quint64 id, const QString& error) { on_finished(id, {}, error); });
        connect(engine_, &EngineController::generationRefused, this,
                [this](quint64 id, const QString& reason) { on_finished(id, {}, reason); });
        connect(engine_, &EngineController::modelChanged, this, [this] {
            if (frames_) frames_->set_max_side(encoder_input_side(engine_->mmprojPath()));
        });
    }
    describe_timer_.setSingleShot(false);
    connect(&describe_timer_, &QTimer::timeout, this, &LiveController::describe_tick);
}

LiveController::~LiveController() {
    stop();
    vad_thread_.quit();
    asr_thread_.quit();
    vad_thread_.wait();
    asr_thread_.wait();
}

void LiveController::set_sources(std::unique_ptr<FrameSource> frames,
                                 std::unique_ptr<SampleSource> samples) {
    if (frames_) frames_->stop();
    if (samples_) samples_->stop();
    frames_ = std::move(frames);
    samples_ = std::move(samples);
    sources_set_ = true;
    connect_sources();
    emit sourcesChanged();
}

void LiveController::set_speech_output(std::unique_ptr<SpeechOutput> speech) {
    if (speech_) speech_->stop();
    speech_ = std::move(speech);
    QMetaObject::invokeMethod(
        vad_,
        [w = vad_, reference = speech_ ? speech_->far_end_reference() : nullptr] {
            w->set_echo_reference(reference);
        },
        Qt::QueuedConnection);
    if (!speech_) return;
    connect(speech_.get(), &SpeechOutput::sentenceStarted, this, [this] {
        if (current_ >= 0 && current_ < turns_.size()) {
            LiveLatency& l = turns_[current_].latency;
            if (l.first_sound_ms < 0 && speaking_turn_) {
                l.first_sound_ms = static_cast<double>(now_ms() - t0_ms_);
                store_spoken_latency(turns_[current_]);
                emit turnChanged();
            }
        }
        update_idle_state();
    });
    connect(speech_.get(), &SpeechOutput::finished, this, &LiveController::update_idle_state);
    connect(speech_.get(), &SpeechOutput::failed, this, [this](const QString& reason) {
        add_notice(reason);
        update_idle_state();
    });
}

void LiveController::connect_sources() {
    if (frames_) {
        if (engine_) frames_->set_max_side(encoder_input_side(engine_->mmprojPath()));
        connect(frames_.get(), &FrameSource::frameArrived, this, [this](qint64 sequence) {
            frame_sequence_ = sequence;
            const qint64 now = now_ms();
            if (now - last_frame_signal_ms_ < kPreviewIntervalMs) return;
            last_frame_signal_ms_ = now;
            {
                QMutexLocker lock(&seen_mutex_);
                preview_ = frames_->latest();
            }
            emit frameChanged();
        });
        connect(frames_.get(), &FrameSource::ended, this, [this] {
            add_notice(tr("%1 ended; its last picture stays.").arg(frames_->description()));
        });
        connect(frames_.get(), &FrameSource::failed, this, [this](const QString& reason) {
            add_notice(reason);
            // The failing source may be inside its own call; it goes once control returns.
            frames_.release()->deleteLater();
            emit sourcesChanged();
        });
    }
    if (samples_) {
        connect(samples_.get(), &SampleSource::samples, this, &LiveController::on_samples);
        connect(samples_.get(), &SampleSource::failed, this, [this](const QString& reason) {
            add_notice(reason);
            // A file source reports a bad file and stays usable; a device that failed is gone.
            if (samples_->active()) return;
            samples_.release()->deleteLater();
            emit sourcesChanged();
        });
    }
}

void LiveController::add_notice(const QString& text) {
    if (text.isEmpty() || notices_.contains(text)) return;
    notices_.append(text);
    while (notices_.size() > 5) notices_.removeFirst();
    emit noticesChanged();
}

void LiveController::load_listeners() {
    if (!live_settings_) return;
    const QString vad_model = live_settings_->vadModel();
    const int end_of_turn = live_settings_->endOfTurnMs();
    if (hands_free_) {
        if (vad_model.isEmpty()) {
            add_notice(
                tr("Hands-free listening needs a voice activity model (Silero VAD); "
                   "choose one in the settings. Push-to-talk (Space) works without it."));
        } else {
            QMetaObject::invokeMethod(
                vad_, [w = vad_, vad_model, end_of_turn] { w->load(vad_model, end_of_turn); },
                Qt::QueuedConnection);
        }
    }
    const QString speech_model = live_settings_->speechModel();
    if (speech_model.isEmpty() && model_hears()) {
        add_notice(
            tr("The model hears spoken questions itself; a Whisper speech model (in the "
               "settings) would also show them as text."));
    } else if (speech_model.isEmpty()) {
        add_notice(
            tr("Spoken questions need a Whisper speech model; choose one in the settings. "
               "Typed questions work without it."));
    } else {
        QMetaObject::invokeMethod(
            transcriber_, [w = transcriber_, speech_model] { w->load(speech_model); },
            Qt::QueuedConnection);
    }
}

void LiveController::start() {
    if (active_) return;
    if (!sources_set_) {
        // The devices on first use; a missing one is a notice, not a failure of live mode.
        frames_ = std::make_unique<CameraFrameSource>();
        samples_ = std::make_unique<MicrophoneSampleSource>();
        sources_set_ = true;
        connect_sources();
        emit sourcesChanged();
    }
    if (!speech_) set_speech_output(std::make_unique<SynthesizedSpeechOutput>());
    ++session_;
    // An answer of the last session still ending is stored with that session first.
    if (request_ == 0 && !preparing_)
        begin_session();
    else
        fresh_session_ = true;
    active_ = true;
    emit activeChanged();
    if (speech_ && live_settings_ && live_settings_->speakAnswers()) {
        const QString why = speech_->unavailable_reason();
        if (!why.isEmpty()) add_notice(why);
    }
    load_listeners();
    if (frames_) frames_->start();
    if (samples_) samples_->start();
    if (describe_)
        describe_timer_.start(live_settings_ ? live_settings_->describeIntervalMs() : 2000);
    set_state(State::Watching);
}

void LiveController::stop() {
    if (!active_) return;
    active_ = false;
    describe_timer_.stop();
    if (frames_) frames_->stop();
    if (samples_) samples_->stop();
    if (speech_) speech_->stop();
    speaking_turn_ = false;  // words of the answer still on their way are not spoken
    // The answer in flight ends as stopped and is stored when the engine says so; a frame
    // still being prepared is dropped (see begin_turn).
    handing_over_ = request_ != 0;
    if ((request_ != 0 || preparing_) && engine_) engine_->stop();
    waiting_.reset();
    ptt_held_ = false;
    hearing_ = false;
    transcribing_ = false;
    ++last_transcription_;  // a transcription still running is not asked
    QMetaObject::invokeMethod(
        vad_, [w = vad_] { w->reset(); }, Qt::QueuedConnection);
    emit activeChanged();
    set_state(State::Off);
    if (!handing_over_) emit sessionEnded(conversation_);
}

void LiveController::begin_session() {
    fresh_session_ = false;
    turns_.clear();
    current_ = -1;
    conversation_ = -1;
    change_.clear();
    emit turnChanged();
    emit answerChanged();
}

void LiveController::toggle() {
    active_ ? stop() : start();
}

void LiveController::setHandsFree(bool on) {
    if (on == hands_free_) return;
    hands_free_ = on;
    if (on && active_) load_listeners();
    emit handsFreeChanged();
}

void LiveController::setDescribeContinuously(bool on) {
    if (on == describe_) return;
    describe_ = on;
    change_.clear();
    if (on && active_)
        describe_timer_.start(live_settings_ ? live_settings_->describeIntervalMs() : 2000);
    else
        describe_timer_.stop();
    emit describeContinuouslyChanged();
}

QString LiveController::transcript() const {
    for (auto it = turns_.crbegin(); it != turns_.crend(); ++it) {
        if (it->kind != LiveTurn::Kind::describe) return it->question;
    }
    return {};
}

QString LiveController::answer() const {
    return turns_.isEmpty() ? QString() : turns_.back().answer;
}

QString LiveController::latencyText() const {
    for (auto it = turns_.crbegin(); it != turns_.crend(); ++it) {
        if (it->kind == LiveTurn::Kind::describe) continue;
        const LiveLatency& l = it->latency;
        QStringList parts;
        auto add = [&parts](const QString& label, double ms) {
            if (ms >= 0) parts.append(QStringLiteral("%1 %2 ms").arg(label).arg(qRound(ms)));
        };
        add(tr("transcript"), l.transcript_ms);
        add(tr("frame"), l.frame_ready_ms);
        add(tr("image encode"), l.image_encode_ms);
        add(tr("audio encode"), l.audio_encode_ms);
        add(tr("first token"), l.first_token_ms);
        add(tr("first sound"), l.first_sound_ms);
        return parts.join(QStringLiteral(" · "));
    }
    return {};
}

QString LiveController::cameraName() const {
    return frames_ ? frames_->description() : tr("no camera");
}

QString LiveController::microphoneName() const {
    return samples_ ? samples_->description() : tr("no microphone");
}

CapturedFrame LiveController::seen_frame() const {
    QMutexLocker lock(&seen_mutex_);
    return seen_;
}

CapturedFrame LiveController::preview_frame() const {
    QMutexLocker lock(&seen_mutex_);
    return preview_;
}

void LiveController::set_state(State s) {
    if (s == state_) return;
    state_ = s;
    emit stateChanged();
}

void LiveController::update_idle_state() {
    if (!active_)
        set_state(State::Off);
    else if (ptt_held_ || hearing_)
        set_state(State::Hearing);
    else if (transcribing_)
        set_state(State::Transcribing);
    else if (speech_ && speech_->busy())
        set_state(State::Speaking);
    else if (request_ != 0 || preparing_)
        set_state(State::Thinking);
    else
        set_state(State::Watching);
}

void LiveController::on_samples(const QList<float>& chunk) {
    if (!active_) return;
    if (ptt_held_) ptt_samples_.append(chunk);
    // Every chunk goes to the worker, whose echo canceller needs the microphone without gaps.
    const bool listening = !ptt_held_ && hands_free_ && vad_ready_;
    QMetaObject::invokeMethod(
        vad_,
        [w = vad_, chunk, at = FarEndReference::clock_us(), listening] {
            w->push(chunk, at, listening);
        },
        Qt::QueuedConnection);
}

void LiveController::on_speech_started() {
    if (!active_ || ptt_held_) return;
    hearing_ = true;
    // Barge-in: the user talks over the answer. Spoken output and the generation stop; a
    // description in progress is not spoken, so it may finish.
    const bool answering = current_ >= 0 && current_ < turns_.size() &&
                           turns_[current_].kind != LiveTurn::Kind::describe &&
                           (request_ != 0 || preparing_);
    const bool talking = speech_ && speech_->busy();
    if (answering || talking) {
        if (speech_) speech_->stop();
        if (answering && engine_) {
            turns_[current_].interrupted = true;
            engine_->stop();
        }
        emit interrupted();
    }
    update_idle_state();
}

void LiveController::pushToTalk(bool down) {
    if (!active_ || down == ptt_held_) return;
    if (down) {
        on_speech_started();
        hearing_ = false;
        ptt_held_ = true;
        ptt_samples_.clear();
        emit pushToTalkChanged();
        update_idle_state();
        return;
    }
    ptt_held_ = false;
    emit pushToTalkChanged();
    QMetaObject::invokeMethod(
        vad_, [w = vad_] { w->reset(); }, Qt::QueuedConnection);
    if (!samples_) add_notice(tr("No microphone: push-to-talk has nothing to record."));
    const QList<float> recorded = std::exchange(ptt_samples_, {});
    if (recorded.size() >= kMinUtteranceSamples) on_utterance(recorded, now_ms());
    update_idle_state();
}

void LiveController::on_utterance(const QList<float>& samples, qint64 detected_ms) {
    hearing_ = false;
    if (!active_) return;
    if (model_hears()) {
        ask_by_sound(samples, detected_ms);
        return;
    }
    if (!asr_ready_) {
        add_notice(tr("A question was heard but no speech model is loaded to understand it."));
        update_idle_state();
        return;
    }
    const quint64 id = ++last_transcription_;
    utterance_end_ms_ = detected_ms;
    transcribing_ = true;
    QMetaObject::invokeMethod(
        transcriber_, [w = transcriber_, id, samples] { w->transcribe(id, samples); },
        Qt::QueuedConnection);
    update_idle_state();
}

bool LiveController::model_hears() const {
    return engine_ && engine_->modelLoaded() && engine_->hasAudio();
}

void LiveController::ask_by_sound(const QList<float>& samples, qint64 detected_ms) {
    LiveTurn turn;
    turn.kind = LiveTurn::Kind::voice;
    turn.question = sound_question(samples.size());
    turn.utterance = samples;
    if (asr_ready_) {
        // Whisper runs beside the model; its text replaces the placeholder when it comes.
        turn.transcription = ++last_transcription_;
        QMetaObject::invokeMethod(
            transcriber_,
            [w = transcriber_, id = turn.transcription, samples] { w->transcribe(id, samples); },
            Qt::QueuedConnection);
    }
    begin_turn(std::move(turn), detected_ms);
}

void LiveController::on_transcribed(quint64 id, const QString& text, double) {
    // The text of a question already asked as sound: shown, not asked again.
    const auto shows = [&](LiveTurn& turn) {
        if (id == 0 || turn.transcription != id) return false;
        if (!is_empty_transcript(text)) {
            turn.question = text.trimmed();
            turn.question_is_transcript = true;
            turn.latency.transcript_ms = static_cast<double>(now_ms() - turn.asked_ms);
            // Whisper finished after the answer: the stored sound gets its words too.
            if (turn.stored_question >= 0 && history_)
                history_->editMessageText(turn.stored_question, turn.question);
            store_spoken_latency(turn);
        }
        return true;
    };
    if (waiting_ && shows(*waiting_)) return;
    for (LiveTurn& turn : turns_) {
        if (shows(turn)) {
            emit turnChanged();
            return;
        }
    }
    if (id != last_transcription_) return;
    transcribing_ = false;
    if (!active_ || is_empty_transcript(text)) {
        update_idle_state();
        return;
    }
    const qint64 t0 = utterance_end_ms_;
    begin_turn(LiveTurn::Kind::voice, text.trimmed(), t0, static_cast<double>(now_ms() - t0));
}

bool LiveController::ask(const QString& question) {
    if (question.trimmed().isEmpty()) return false;
    if (!engine_ || !engine_->modelLoaded()) {
        add_notice(tr("Load a model first (Ctrl+O)."));
        return false;
    }
    begin_turn(LiveTurn::Kind::typed, question.trimmed(), now_ms(), -1);
    return true;
}

void LiveController::describe_tick() {
    if (!active_ || !describe_ || !frames_ || !engine_ || !engine_->modelLoaded() ||
        !engine_->hasVision()) {
        ++describe_skips_;
        return;
    }
    const CapturedFrame frame = frames_->latest();
    if (request_ != 0 || preparing_ || waiting_ || frame.sequence == 0 ||
        !change_.changed(frame.image)) {
        ++describe_skips_;
        return;
    }
    change_.accept(frame.image);
    begin_turn(LiveTurn::Kind::describe,
               live_settings_ ? live_settings_->describePrompt() : tr("What do you see?"), now_ms(),
               -1);
}

void LiveController::begin_turn(LiveTurn::Kind kind, const QString& question, qint64 t0_ms,
                                double transcript_ms) {
    LiveTurn turn;
    turn.kind = kind;
    turn.question = question;
    turn.latency.transcript_ms = transcript_ms;
    begin_turn(std::move(turn), t0_ms);
}

void LiveController::begin_turn(LiveTurn turn, qint64 t0_ms) {
    const LiveTurn::Kind kind = turn.kind;
    turn.asked_ms = t0_ms;
    if (request_ != 0 || preparing_) {
        // One request at a time: a question waits for the one in flight (a description in
        // flight is cut short for it); the newest question replaces an older waiting one.
        if (kind == LiveTurn::Kind::describe) return;
        waiting_ = turn;
        t0_ms_ = t0_ms;
        if (current_ >= 0 && turns_[current_].kind == LiveTurn::Kind::describe && engine_)
            engine_->stop();
        return;
    }
    if (!engine_ || !engine_->modelLoaded()) {
        add_notice(tr("Load a model first (Ctrl+O)."));
        return;
    }
    t0_ms_ = t0_ms;
    turns_.append(std::move(turn));
    current_ = static_cast<int>(turns_.size()) - 1;
    // Sound the model will not be given again.
    for (int i = 0; i < current_ - kContextTurns; ++i) turns_[i].utterance = {};
    waiting_.reset();
    chunker_.clear();
    speaking_turn_ = kind != LiveTurn::Kind::describe && speech_ && live_settings_ &&
                     live_settings_->speakAnswers();
    if (speaking_turn_ && speech_) speech_->stop();
    preparing_ = true;
    most_in_flight_ = std::max(most_in_flight_, requests_in_flight());
    emit turnChanged();
    emit answerChanged();
    update_idle_state();

    CapturedFrame frame;
    if (frames_ && engine_->hasVision()) frame = frames_->latest();
    turns_[current_].frame_sequence = frame.sequence;
    current_frame_ = frame.image;
    if (frame.sequence != 0) {
        QMutexLocker lock(&seen_mutex_);
        seen_ = frame;
    }
    if (frame.sequence != 0) emit seenFrameChanged();

    // Earlier turns as text, the new question with its frame (and, to a model that hears, as
    // its sound); the frame goes to the engine as PNG (lossless) encoded off the UI thread.
    QList<ChatTurn> chat;
    const int first = std::max(0, current_ - kContextTurns);
    for (int i = first; i < current_; ++i) {
        if (turns_[i].answer.isEmpty() || turns_[i].kind == LiveTurn::Kind::describe) continue;
        // A question asked as sound stays sound until Whisper's text of it is there.
        ChatTurn earlier{TurnRole::user, turns_[i].question, {}};
        if (!turns_[i].utterance.isEmpty() && !turns_[i].question_is_transcript) {
            earlier.text.clear();
            earlier.images.append(utterance_part(turns_[i], i));
        }
        chat.append(earlier);
        chat.append({TurnRole::assistant, turns_[i].answer, {}});
    }
    const int index = current_;
    const qint64 sequence = frame.sequence;
    const QString question = turns_[index].utterance.isEmpty() ? turns_[index].question : QString();
    std::optional<ImageAttachment> sound;
    if (!turns_[index].utterance.isEmpty()) sound = utterance_part(turns_[index], index);
    auto send = [this, chat, question, sound, index, session = session_](QByteArray png, QSize size,
                                                                         qint64 frame_number) {
        preparing_ = false;
        // A question that came while the frame was prepared goes first; the description is
        // dropped rather than making the question wait for it.
        const bool outranked = waiting_ && turns_[index].kind == LiveTurn::Kind::describe;
        if (index != current_ || !active_ || session != session_ || outranked) {
            turns_[index].stop_reason = QStringLiteral("cancelled");
            update_idle_state();
            send_next();
            return;
        }
        QList<ChatTurn> turns = chat;
        ChatTurn user{TurnRole::user, question, {}};
        if (!png.isEmpty()) {
            const QString id = QStringLiteral("live-frame-%1").arg(frame_number);
            user.images.append({id, id + QStringLiteral(".png"), {}, png, size});
        }
        if (sound) user.images.append(*sound);
        turns.append(user);
        turns_[index].latency.frame_ready_ms = static_cast<double>(now_ms() - t0_ms_);
        request_ = engine_->generate(turns, generation_settings());
        most_in_flight_ = std::max(most_in_flight_, requests_in_flight());
        update_idle_state();
    };
    if (sequence == 0) {
        send({}, {}, 0);
        return;
    }
    const QImage image = frame.image;
    QtConcurrent::run([image] {
        QByteArray png;
        QBuffer buffer(&png);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        return png;
    }).then(this, [send, image, sequence](const QByteArray& png) {
        send(png, image.size(), sequence);
    });
}

GenerationSettings LiveController::generation_settings() const {
    GenerationSettings g;
    // Spoken answers are short; a long one would keep the user waiting to speak.
    g.max_tokens = 256;
    g.system_prompt =
        tr("You are a live assistant looking through the user's camera. Answer "
           "in one to three short spoken sentences, without Markdown.");
    if (!settings_) return g;
    if (!settings_->systemPrompt().trimmed().isEmpty()) g.system_prompt = settings_->systemPrompt();
    g.temperature = static_cast<float>(settings_->temperature());
    g.top_p = static_cast<float>(settings_->topP());
    g.top_k = settings_->topK();
    g.min_p = static_cast<float>(settings_->minP());
    g.repeat_penalty = static_cast<float>(settings_->repetitionPenalty());
    return g;
}

void LiveController::on_piece(quint64 id, const QString& text) {
    if (id == 0 || id != request_ || current_ < 0) return;
    LiveTurn& turn = turns_[current_];
    if (turn.latency.first_token_ms < 0) {
        turn.latency.first_token_ms = static_cast<double>(now_ms() - t0_ms_);
        emit turnChanged();
    }
    turn.answer += text;
    if (speaking_turn_ && !turn.interrupted) speak(chunker_.push(text));
    emit answerChanged();
}

void LiveController::speak(const QStringList& sentences) {
    if (!speech_) return;
    for (const QString& s : sentences) speech_->say(s);
    update_idle_state();
}

void LiveController::on_finished(quint64 id, const AnswerTimings& stats, const QString& error) {
    if (id == 0 || id != request_ || current_ < 0) return;
    request_ = 0;
    const int index = current_;
    LiveTurn& turn = turns_[index];
    turn.stop_reason = error.isEmpty() ? stats.stop_reason : QStringLiteral("error");
    if (stats.images_encoded > 0) turn.latency.image_encode_ms = stats.image_encode_ms;
    if (stats.sounds_encoded > 0) turn.latency.audio_encode_ms = stats.audio_encode_ms;
    if (!error.isEmpty()) add_notice(error);
    if (speaking_turn_ && !turn.interrupted && error.isEmpty()) speak(chunker_.finish());
    chunker_.clear();
    if (error.isEmpty() && turn.kind != LiveTurn::Kind::describe) store_turn(index, stats);
    emit turnChanged();
    emit turnFinished(index);
    if (handing_over_) {
        handing_over_ = false;
        emit sessionEnded(conversation_);
    }
    send_next();
    update_idle_state();
}

void LiveController::send_next() {
    if (request_ != 0 || preparing_) return;
    // The last session's answer has ended: the new session starts clean (a question it asked
    // meanwhile waits in waiting_).
    if (fresh_session_) begin_session();
    if (!waiting_) return;
    const LiveTurn next = *waiting_;
    waiting_.reset();
    begin_turn(next, t0_ms_);
}

void LiveController::store_turn(int index, const AnswerTimings& stats) {
    if (!history_ || !history_->isReady()) return;
    const LiveTurn& turn = turns_[index];
    if (conversation_ < 0) {
        conversation_ = history_->createConversation(engine_ ? engine_->modelPath() : QString());
        if (conversation_ < 0) return;
    }
    // The history keeps its own copies of the picture and the sound; the files written here are
    // only handed over.
    std::vector<NewAttachment> files;
    QStringList written;
    if (turn.frame_sequence != 0 && !current_frame_.isNull() && frame_files_.isValid()) {
        const QString frame_file =
            frame_files_.filePath(QStringLiteral("live-%1.png").arg(turn.frame_sequence));
        if (current_frame_.save(frame_file, "PNG")) {
            files.push_back({frame_file});
            written.append(frame_file);
        }
    }
    if (!turn.utterance.isEmpty() && frame_files_.isValid()) {
        const QString sound_file =
            frame_files_.filePath(QStringLiteral("live-utterance-%1.wav").arg(index));
        const QString error = write_wav_file(sound_file, turn.utterance, kSampleRate);
        if (error.isEmpty()) {
            files.push_back({sound_file, QStringLiteral("audio"),
                             static_cast<double>(turn.utterance.size()) / kSampleRate});
            written.append(sound_file);
        } else {
            add_notice(error);
        }
    }
    // A sound without Whisper's text is stored as the sound alone.
    const QString text =
        turn.utterance.isEmpty() || turn.question_is_transcript ? turn.question : QString();
    turns_[index].stored_question =
        history_->addMessageWithAttachments(conversation_, QStringLiteral("user"), text, files);
    for (const QString& file : written) QFile::remove(file);
    const qint64 answer = history_->beginAnswer(conversation_);
    if (answer < 0) return;
    AnswerStats stored;
    stored.tokens_per_second = stats.tokens_per_second;
    stored.time_to_first_token_ms = stats.time_to_first_token_ms;
    stored.image_encode_ms = stats.image_encode_ms;
    stored.stop_reason = stats.stop_reason;
    stored.time_to_transcript_ms = measured(turn.latency.transcript_ms);
    stored.time_to_first_sound_ms = measured(turn.latency.first_sound_ms);
    if (history_->finishAnswer(answer, turn.answer, stored)) turns_[index].stored_answer = answer;
}

void LiveController::store_spoken_latency(const LiveTurn& turn) {
    if (turn.stored_answer < 0 || !history_ || !history_->isReady()) return;
    history_->setSpokenLatency(turn.stored_answer, measured(turn.latency.transcript_ms),
                               measured(turn.latency.first_sound_ms));
}

}  // namespace prism::ui
