#pragma once

// Live mode: the camera (or a video file) and the microphone (or a sound file) feed a
// conversation with the loaded model, answered in text and speech.
//
// Vision: a request takes the newest frame when it is made (a spoken or typed question, or a
// "describe continuously" tick when the picture changed); at most one request is in flight,
// and frames that arrive meanwhile simply replace each other, so nothing queues up behind a
// slow model. Voice: push-to-talk records while held; hands-free cuts utterances with the voice
// activity detector (a turn ends after LiveSettings::endOfTurnMs of silence). An utterance
// becomes text with Whisper and is asked with the current frame when the model sees; a model
// that hears (an mmproj with an audio encoder) gets the utterance itself as sound instead,
// and Whisper, when there is one, only shows what was said. Speech
// that starts while an answer is generated or spoken stops both (barge-in); sound the detector
// rejects as noise does not. Answers are spoken sentence by sentence while they are generated.
//
// Each turn keeps its latency figures (end of speech to transcript, frame ready, image
// encoded, first token, first sound) and is stored in the history as a chat: one conversation
// per live session (start to stop), handed over by sessionEnded once its last turn is stored.

#include <QList>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QStringList>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <memory>
#include <optional>

#include "capture_source.hpp"
#include "chat_types.hpp"
#include "live_frames.hpp"
#include "live_speech_text.hpp"

namespace prism::ui {

class ConversationStore;
class EngineController;
class LiveSettings;
class SettingsStore;
class SpeechOutput;
class TranscriptionWorker;
class VoiceActivityWorker;

// Milliseconds of one turn, each from the end of the user's speech (typed questions: from
// sending); -1 where the step did not happen.
struct LiveLatency {
    double transcript_ms = -1;    // Whisper's text is there (a question asked as text)
    double frame_ready_ms = -1;   // the frame is scaled and handed to the engine
    double image_encode_ms = -1;  // the engine's own encoder time (not from speech end)
    double audio_encode_ms = -1;  // the same for the spoken question (a model that hears)
    double first_token_ms = -1;
    double first_sound_ms = -1;
};

struct LiveTurn {
    enum class Kind { voice, typed, describe };
    Kind kind = Kind::typed;
    QString question;  // typed, or what Whisper heard; for a sound alone, its length
    QString answer;
    // A model that hears gets the spoken question itself (16 kHz mono); dropped from turns
    // older than the context the model sees again, so a long session does not grow.
    QList<float> utterance;
    bool question_is_transcript = false;  // `question` holds Whisper's text of `utterance`
    quint64 transcription = 0;            // the Whisper request for `utterance` (0: none)
    qint64 stored_question = -1;          // its message in the history, once stored
    qint64 stored_answer = -1;            // the answer's, once stored
    qint64 asked_ms = 0;        // when the question was complete (end of speech, or sent; epoch ms)
    qint64 frame_sequence = 0;  // the frame the model saw (0: none)
    LiveLatency latency;
    QString stop_reason;
    bool interrupted = false;  // barge-in stopped it
};

class LiveController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the live controller.")

    Q_PROPERTY(bool active READ active NOTIFY activeChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(bool handsFree READ handsFree WRITE setHandsFree NOTIFY handsFreeChanged)
    Q_PROPERTY(bool describeContinuously READ describeContinuously WRITE setDescribeContinuously
                   NOTIFY describeContinuouslyChanged)
    Q_PROPERTY(bool pushToTalkHeld READ pushToTalkHeld NOTIFY pushToTalkChanged)
    Q_PROPERTY(QString transcript READ transcript NOTIFY turnChanged)
    Q_PROPERTY(QString answer READ answer NOTIFY answerChanged)
    Q_PROPERTY(QString latencyText READ latencyText NOTIFY turnChanged)
    Q_PROPERTY(qint64 frameSequence READ frameSequence NOTIFY frameChanged)
    Q_PROPERTY(qint64 seenFrameSequence READ seenFrameSequence NOTIFY seenFrameChanged)
    Q_PROPERTY(QString cameraName READ cameraName NOTIFY sourcesChanged)
    Q_PROPERTY(QString microphoneName READ microphoneName NOTIFY sourcesChanged)
    Q_PROPERTY(bool hasCamera READ hasCamera NOTIFY sourcesChanged)
    Q_PROPERTY(bool hasMicrophone READ hasMicrophone NOTIFY sourcesChanged)
    // Problems in plain words (a device gone, no speech model, no speech engine).
    Q_PROPERTY(QStringList notices READ notices NOTIFY noticesChanged)
    Q_PROPERTY(int turnCount READ turnCount NOTIFY turnChanged)

  public:
    // Capitalised: QML reads enum values by upper-case names.
    enum class State { Off, Watching, Hearing, Transcribing, Thinking, Speaking };
    Q_ENUM(State)

    LiveController(EngineController* engine, SettingsStore* settings, ConversationStore* history,
                   LiveSettings* live_settings, QObject* parent = nullptr);
    ~LiveController() override;

    // Where pictures and sound come from (null: none). Without a call, start() opens the
    // default camera and microphone.
    void set_sources(std::unique_ptr<FrameSource> frames, std::unique_ptr<SampleSource> samples);
    void set_speech_output(std::unique_ptr<SpeechOutput> speech);
    FrameSource* frame_source() { return frames_.get(); }
    SampleSource* sample_source() { return samples_.get(); }

    bool active() const { return active_; }
    State state() const { return state_; }
    bool handsFree() const { return hands_free_; }
    void setHandsFree(bool on);
    bool describeContinuously() const { return describe_; }
    void setDescribeContinuously(bool on);
    bool pushToTalkHeld() const { return ptt_held_; }
    QString transcript() const;
    QString answer() const;
    QString latencyText() const;
    qint64 frameSequence() const { return frame_sequence_; }
    qint64 seenFrameSequence() const { return seen_.sequence; }
    QString cameraName() const;
    QString microphoneName() const;
    bool hasCamera() const { return frames_ != nullptr; }
    bool hasMicrophone() const { return samples_ != nullptr; }
    QStringList notices() const { return notices_; }
    int turnCount() const { return static_cast<int>(turns_.size()); }

    const QList<LiveTurn>& turns() const { return turns_; }
    // Requests handed to the engine and not finished: 0 or 1.
    int requests_in_flight() const { return request_ != 0 || preparing_ ? 1 : 0; }
    // The voice activity model is loaded: hands-free listening hears what comes next.
    bool hands_free_ready() const { return vad_ready_; }
    int most_requests_in_flight() const { return most_in_flight_; }
    // Describe ticks that found a request in flight or an unchanged picture.
    qint64 describe_skips() const { return describe_skips_; }
    // The frame the model last saw (for the live view's outline), and the one the preview
    // shows; any thread (the image provider's).
    CapturedFrame seen_frame() const;
    CapturedFrame preview_frame() const;
    // The history's conversation of this session's turns, or of the last session's until the
    // next one asks something (-1: none stored).
    qint64 conversation_id() const { return conversation_; }

    Q_INVOKABLE void start();
    Q_INVOKABLE void stop();
    Q_INVOKABLE void toggle();
    // Space in the live view: records while held, then asks what was said.
    Q_INVOKABLE void pushToTalk(bool down);
    // A typed question, asked with the current frame. False when nothing was asked.
    Q_INVOKABLE bool ask(const QString& question);

  signals:
    void activeChanged();
    void stateChanged();
    void handsFreeChanged();
    void describeContinuouslyChanged();
    void pushToTalkChanged();
    void turnChanged();
    void answerChanged();
    void frameChanged();
    void seenFrameChanged();
    void sourcesChanged();
    void noticesChanged();
    // A turn's answer ended (finished, stopped or failed).
    void turnFinished(int index);
    // Barge-in: the user spoke over an answer.
    void interrupted();
    // Live mode stopped and every turn of the session is in the history, the one whose answer
    // the stop cut short included: `conversation` holds them (-1: nothing was stored).
    void sessionEnded(qint64 conversation);

  private:
    void set_state(State s);
    void add_notice(const QString& text);
    void connect_sources();
    void load_listeners();
    void on_samples(const QList<float>& chunk);
    void on_speech_started();
    void on_utterance(const QList<float>& samples, qint64 detected_ms);
    void on_transcribed(quint64 id, const QString& text, double ms);
    void begin_turn(LiveTurn::Kind kind, const QString& question, qint64 t0_ms,
                    double transcript_ms);
    void begin_turn(LiveTurn turn, qint64 t0_ms);
    // A model that hears: the utterance is the question; Whisper, if loaded, adds its text.
    void ask_by_sound(const QList<float>& samples, qint64 detected_ms);
    bool model_hears() const;
    void send_next();
    void on_piece(quint64 id, const QString& text);
    void on_finished(quint64 id, const AnswerTimings& stats, const QString& error);
    void describe_tick();
    void speak(const QStringList& sentences);
    void store_turn(int index, const AnswerTimings& stats);
    // Latency measured after the turn was stored (first sound, Whisper's late text).
    void store_spoken_latency(const LiveTurn& turn);
    void update_idle_state();
    // A new session: no earlier turns for the model, a new conversation in the history.
    void begin_session();
    GenerationSettings generation_settings() const;

    QPointer<EngineController> engine_;
    QPointer<SettingsStore> settings_;
    QPointer<ConversationStore> history_;
    QPointer<LiveSettings> live_settings_;

    std::unique_ptr<FrameSource> frames_;
    std::unique_ptr<SampleSource> samples_;
    std::unique_ptr<SpeechOutput> speech_;
    bool sources_set_ = false;

    QThread vad_thread_;
    QThread asr_thread_;
    VoiceActivityWorker* vad_ = nullptr;          // lives on vad_thread_
    TranscriptionWorker* transcriber_ = nullptr;  // lives on asr_thread_
    bool vad_ready_ = false;
    bool asr_ready_ = false;
    quint64 last_transcription_ = 0;

    bool active_ = false;
    State state_ = State::Off;
    bool hands_free_ = true;
    bool describe_ = false;
    bool ptt_held_ = false;
    QList<float> ptt_samples_;
    qint64 ptt_released_ms_ = 0;

    // The turn being answered (index into turns_) and the one waiting for it to end.
    QList<LiveTurn> turns_;
    int current_ = -1;
    std::optional<LiveTurn> waiting_;
    quint64 request_ = 0;
    bool preparing_ = false;  // the frame is being encoded for the engine
    int most_in_flight_ = 0;
    qint64 t0_ms_ = 0;             // when the current turn's question was complete (epoch ms)
    qint64 utterance_end_ms_ = 0;  // of the utterance being transcribed
    bool transcribing_ = false;
    bool hearing_ = false;  // the detector is inside an utterance
    qint64 last_frame_signal_ms_ = 0;
    SentenceChunker chunker_;
    bool speaking_turn_ = false;

    QTimer describe_timer_;
    FrameChangeDetector change_;
    qint64 describe_skips_ = 0;
    qint64 frame_sequence_ = 0;
    mutable QMutex seen_mutex_;
    CapturedFrame seen_;
    CapturedFrame preview_;
    QImage current_frame_;  // the frame of the turn in flight, for the history
    QStringList notices_;
    qint64 conversation_ = -1;
    quint64 session_ = 0;         // counts start()s; a frame prepared in an earlier one is dropped
    bool fresh_session_ = false;  // started while the last session's answer was still ending
    bool handing_over_ = false;   // stopped with an answer in flight: sessionEnded once stored
    QTemporaryDir frame_files_;
};

}  // namespace prism::ui
