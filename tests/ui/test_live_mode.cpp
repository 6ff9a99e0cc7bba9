// Live mode end to end with file sources, on the offscreen platform with the real engine (the
// tiny llava fixture: random weights, text model plus mmproj), real Silero VAD and the real
// Whisper tiny.en weights: a spoken question while a video plays gets a streamed answer that
// is spoken; speech over the answer stops it and noise does not; a fast video with a model
// slower than the frames drops frames instead of queueing them; a source that ends or fails
// leaves live mode usable. The speech engine is the one test double (see live_test_support).

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "app_context.hpp"
#include "capture_file_sources.hpp"
#include "chat_controller.hpp"
#include "live_controller.hpp"
#include "live_speech_text.hpp"
#include "live_test_support.hpp"
#include "message_list_model.hpp"
#include "prism/media/probe.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

qint64 resident_bytes() {
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly)) return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields[1].toLongLong() * 4096 : 0;
}

QString words_only(const QString& text) {
    QString out;
    for (const QChar c : text.toLower()) {
        if (c.isLetterOrNumber() || c == u' ') out.append(c);
    }
    return out.simplified();
}

class LiveModeTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;
    std::unique_ptr<AppContext> app_;
    RecordingSpeechOutput* speech_ = nullptr;
    FileSampleSource* sound_ = nullptr;
    FileFrameSource* video_ = nullptr;

    // A fresh app with the vision fixture loaded and live mode on file sources.
    // Without `whisper` the speech model is a missing file: spoken questions are off (a
    // notice says so) and nothing waits on Whisper's encoder, the slow step on lavapipe.
    bool start_live(const QString& video, Pace video_pace, int ms_per_word = 20,
                    bool whisper = false, const QString& model = QStringLiteral("vlm/llava")) {
        app_.reset();
        static int run = 0;
        const QString dir = files_.filePath(QStringLiteral("run%1").arg(++run));
        AppOptions options;
        options.settings_file = dir + QStringLiteral("/prism.conf");
        options.data_folder = dir + QStringLiteral("/data");
        options.model_folders = {dir + QStringLiteral("/models")};
        app_ = std::make_unique<AppContext>(options);
        app_->settings().setTemperature(0.0);
        app_->live_settings().setSpeechModel(whisper ? whisper_model_path()
                                                     : dir + QStringLiteral("/no-whisper.gguf"));
        app_->live_settings().setVadModel(test_data_path("vad/silero-v6.2.0-ggml.bin"));
        const QString fixture = test_data_path(model);
        app_->engine().loadModel(fixture + "/text.gguf", fixture + "/mmproj.gguf");
        if (!QTest::qWaitFor([this] { return app_->engine().modelLoaded(); }, 30000)) return false;
        auto frames =
            video.isEmpty() ? nullptr : std::make_unique<FileFrameSource>(video, video_pace, 30.0);
        auto sound = std::make_unique<FileSampleSource>(Pace::fast);
        sound->set_silence_when_idle(true);
        video_ = frames.get();
        sound_ = sound.get();
        app_->live().set_sources(std::move(frames), std::move(sound));
        auto speech = std::make_unique<RecordingSpeechOutput>(ms_per_word);
        speech_ = speech.get();
        app_->live().set_speech_output(std::move(speech));
        app_->live().start();
        return app_->live().active();
    }

  private slots:
    void cleanup() { app_.reset(); }

    // One spoken question (Whisper on lavapipe is the slow step: one 30-s window per
    // utterance), then noise and a second question over the spoken answer.
    void aSpokenQuestionIsAnsweredAndSpokenAndSpeechOverItStopsIt() {
        if (const QString why = whisper_test_unavailable(); !why.isEmpty()) QSKIP(qPrintable(why));
        // Slow speech: the answer is still being spoken when the later clips arrive.
        QVERIFY(
            start_live(test_data_path("video/colours_h264_aac.mp4"), Pace::real_time, 400, true));
        LiveController& live = app_->live();
        QTRY_VERIFY_WITH_TIMEOUT(live.frameSequence() > 3, 10000);
        QSignalSpy finished(&live, &LiveController::turnFinished);
        QSignalSpy interrupted(&live, &LiveController::interrupted);
        sound_->play(test_data_path("audio/4507-16021-0012.wav"));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 300000);

        QCOMPARE(live.turns().size(), 1);
        const LiveTurn& turn = live.turns().front();
        QCOMPARE(turn.kind, LiveTurn::Kind::voice);
        QCOMPARE(words_only(turn.question), QStringLiteral("why should one halt on the way"));
        QVERIFY2(!turn.answer.isEmpty(), qPrintable(turn.stop_reason));
        QVERIFY(!turn.interrupted);
        // The model saw a frame of the video, scaled to its encoder's 32-pixel input.
        QVERIFY(turn.frame_sequence > 0);
        QCOMPARE(live.seenFrameSequence(), turn.frame_sequence);
        QVERIFY(std::max(live.seen_frame().image.width(), live.seen_frame().image.height()) <= 32);
        // The answer is handed to the speech engine sentence by sentence, Markdown removed.
        QVERIFY(!speech_->spoken.isEmpty());
        QCOMPARE(words_only(speech_->said.join(u' ')), words_only(speakable_text(turn.answer)));
        // Latency figures in the order the steps happen.
        const LiveLatency& l = turn.latency;
        QVERIFY(l.transcript_ms >= 0);
        QVERIFY(l.frame_ready_ms >= l.transcript_ms);
        QVERIFY(l.image_encode_ms > 0);
        QVERIFY(l.first_token_ms >= l.frame_ready_ms);
        QVERIFY(l.first_sound_ms >= l.first_token_ms);
        QVERIFY(live.latencyText().contains(QStringLiteral("first sound")));
        // Stored in the history like a chat: the question with its frame, then the answer.
        const auto messages = app_->history().listMessages(live.conversation_id());
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].text, turn.question);
        QCOMPARE(messages[0].attachments.size(), 1);
        QCOMPARE(messages[1].text, turn.answer);
        // With the turn's latency from the end of speech.
        QVERIFY(messages[1].stats.has_value());
        QCOMPARE(messages[1].stats->time_to_transcript_ms.value_or(-1), l.transcript_ms);
        QCOMPARE(messages[1].stats->time_to_first_sound_ms.value_or(-1), l.first_sound_ms);

        // Noise while the answer is spoken: the detector rejects it, nothing stops.
        QVERIFY(speech_->busy());
        sound_->play(test_data_path("vad/vad_noise.wav"));
        QTRY_VERIFY_WITH_TIMEOUT(!sound_->playing(), 10000);
        QTest::qWait(1000);  // the end-of-turn silence and more
        QCOMPARE(interrupted.count(), 0);
        QCOMPARE(speech_->stopped_while_busy, 0);
        QVERIFY(speech_->busy());

        // Speech over the answer: speaking stops as soon as the detector confirms speech,
        // before the words are even recognised.
        sound_->play(test_data_path("audio/8455-210777-0068.wav"));
        QTRY_COMPARE_WITH_TIMEOUT(interrupted.count(), 1, 20000);
        QVERIFY(!speech_->busy());
        QCOMPARE(speech_->stopped_while_busy, 1);
        QCOMPARE(live.state(), LiveController::State::Hearing);
        live.stop();
    }

    // A model that hears (the tiny Qwen2-Audio fixture) is asked with the utterance itself:
    // no Whisper is loaded, yet the spoken question is answered, and the history keeps the
    // sound the detector cut (its speech as silero-vad's reference finds it, with the pre-roll
    // and the end-of-turn silence around it).
    void aModelThatHearsIsAskedWithTheSpokenSound() {
        QVERIFY(start_live({}, Pace::fast, 20, false, QStringLiteral("audio-models/qwen2a")));
        LiveController& live = app_->live();
        // The clip plays at once, as fast as it decodes: the detector must be listening.
        QTRY_VERIFY_WITH_TIMEOUT(live.hands_free_ready(), 30000);
        QVERIFY(app_->engine().hasAudio());
        QVERIFY(!app_->engine().hasVision());
        QSignalSpy finished(&live, &LiveController::turnFinished);
        const QString clip = QStringLiteral("audio/4507-16021-0012.wav");
        sound_->play(test_data_path(clip));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);

        QCOMPARE(live.turns().size(), 1);
        const LiveTurn& turn = live.turns().front();
        QCOMPARE(turn.kind, LiveTurn::Kind::voice);
        QVERIFY2(turn.stop_reason != QLatin1String("error"),
                 qPrintable(live.notices().join(u'\n')));
        QVERIFY(!turn.answer.isEmpty());
        QCOMPARE(turn.frame_sequence, 0);  // the model does not see
        // No transcript: the question is shown by its length.
        QVERIFY(!turn.question_is_transcript);
        QCOMPARE(turn.question, QStringLiteral("(spoken question, %1 s)")
                                    .arg(turn.utterance.size() / 16000.0, 0, 'f', 1));
        QVERIFY(turn.latency.transcript_ms < 0);
        QVERIFY(turn.latency.audio_encode_ms > 0);
        QVERIFY(live.latencyText().contains(QStringLiteral("audio encode")));
        // Not "spoken questions are off": they are not.
        QVERIFY2(!live.notices().join(u'\n').contains(QStringLiteral("Spoken questions are off")),
                 qPrintable(live.notices().join(u'\n')));

        // silero-vad's speech segment of the clip (default options), in samples.
        QFile reference(test_data_path("vad/4507-16021-0012.vad.ref"));
        QVERIFY(reference.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = reference.readAll().split('\n');
        qsizetype speech = 0, clip_samples = 0;
        for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
            if (lines[i].startsWith("samples ")) clip_samples = lines[i].mid(8).toLongLong();
            if (lines[i].startsWith("segments default ")) {
                const QList<QByteArray> span = lines[i + 1].split(' ');
                speech = span.value(1).toLongLong() - span.value(0).toLongLong();
            }
        }
        QVERIFY(speech > 0 && clip_samples > speech);
        // The live detector streams and ends a turn after 500 ms of silence (the reference's
        // options: 100 ms); measured 81 ms apart on this clip.
        const qsizetype heard = turn.utterance.size();
        QVERIFY2(std::abs(heard - speech) <= 16000 / 4,
                 qPrintable(QStringLiteral("%1 samples heard, silero-vad's segment %2")
                                .arg(heard)
                                .arg(speech)));

        // The history keeps the question as the sound alone, then the answer.
        const auto messages = app_->history().listMessages(live.conversation_id());
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].text, QString());
        QCOMPARE(messages[0].attachments.size(), 1);
        const StoredAttachment& stored = messages[0].attachments.front();
        QCOMPARE(stored.kind, QStringLiteral("audio"));
        QCOMPARE(stored.duration_seconds, std::round(heard / 16.0) / 1000.0);
        // The stored file is a WAV the engine reads back to the same length.
        const media::MediaInfo info = media::probe_media_file(stored.image_path.toStdString());
        QVERIFY(info.has_audio && !info.has_video);
        QCOMPARE(info.format, std::string("WAV"));
        QVERIFY(std::abs(info.duration_seconds - heard / 16000.0) < 1e-6);
        QCOMPARE(messages[1].text, turn.answer);
        live.stop();
    }

    // With Whisper as well, the model still gets the sound; Whisper's text only shows what
    // was said (in the live view and the history).
    void aModelThatHearsStillShowsWhatWasSaid() {
        if (const QString why = whisper_test_unavailable(); !why.isEmpty()) QSKIP(qPrintable(why));
        QVERIFY(start_live({}, Pace::fast, 20, true, QStringLiteral("audio-models/qwen2a")));
        LiveController& live = app_->live();
        QTRY_VERIFY_WITH_TIMEOUT(live.hands_free_ready(), 30000);
        QSignalSpy finished(&live, &LiveController::turnFinished);
        sound_->play(test_data_path("audio/4507-16021-0012.wav"));
        QTRY_VERIFY2_WITH_TIMEOUT(finished.count() == 1, qPrintable(live.notices().join(u'\n')),
                                  60000);
        QTRY_VERIFY_WITH_TIMEOUT(live.turns().front().question_is_transcript, 300000);
        const LiveTurn& turn = live.turns().front();
        QCOMPARE(words_only(turn.question), QStringLiteral("why should one halt on the way"));
        QCOMPARE(live.transcript(), turn.question);
        QVERIFY(turn.latency.audio_encode_ms > 0);
        QVERIFY(turn.latency.transcript_ms > 0);
        // The history has the words beside the sound, whichever of Whisper and the answer
        // finished first.
        const auto messages = app_->history().listMessages(live.conversation_id());
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].text, turn.question);
        QCOMPARE(messages[0].attachments.size(), 1);
        QVERIFY(messages[1].stats.has_value());
        QCOMPARE(messages[1].stats->time_to_transcript_ms.value_or(-1), turn.latency.transcript_ms);
        live.stop();
    }

    // The history keeps a spoken answer's first sound (here from sending a typed question,
    // which has no transcript time), also when the sound starts after the answer was stored;
    // the chat view shows it when the conversation is opened. An answer not spoken has none.
    void theFirstSoundIsKeptInTheHistory() {
        QVERIFY(start_live({}, Pace::fast));
        LiveController& live = app_->live();
        QSignalSpy finished(&live, &LiveController::turnFinished);
        QVERIFY(live.ask(QStringLiteral("What do you see?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(live.turns()[0].latency.first_sound_ms >= 0, 10000);
        const double first_sound = live.turns()[0].latency.first_sound_ms;
        QVERIFY(first_sound >= live.turns()[0].latency.first_token_ms);

        app_->live_settings().setSpeakAnswers(false);
        QVERIFY(live.ask(QStringLiteral("And now?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
        QCOMPARE(live.turns()[1].latency.first_sound_ms, -1.0);

        const auto messages = app_->history().listMessages(live.conversation_id());
        QCOMPARE(messages.size(), 4);
        QVERIFY(messages[1].stats.has_value() && messages[3].stats.has_value());
        QCOMPARE(messages[1].stats->time_to_first_sound_ms.value_or(-1), first_sound);
        QVERIFY(!messages[1].stats->time_to_transcript_ms.has_value());
        QVERIFY(!messages[3].stats->time_to_first_sound_ms.has_value());
        QVERIFY(!messages[3].stats->time_to_transcript_ms.has_value());
        live.stop();

        QVERIFY(app_->chat().openConversation(live.conversation_id()));
        const MessageListModel& shown = *app_->chat().messages();
        QCOMPARE(shown.count(), 4);
        const auto stats_of = [&shown](int row) {
            return shown.data(shown.index(row), MessageListModel::StatsRole).toString();
        };
        const QString spoken =
            QStringLiteral("after the question: first sound %1 ms").arg(qRound(first_sound));
        QVERIFY2(stats_of(1).contains(spoken), qPrintable(stats_of(1)));
        QVERIFY2(!stats_of(3).contains(QStringLiteral("after the question")),
                 qPrintable(stats_of(3)));
    }

    // Leaving live mode leaves the chat on the session's conversation: its turns shown, the
    // one whose answer the stop cut short included, each question with the frame it was asked
    // with, and the chat goes on in it. The next session is a conversation of its own.
    void stoppingLiveModeShowsItsConversation() {
        QVERIFY(start_live(test_data_path("video/colours_h264_aac.mp4"), Pace::real_time));
        LiveController& live = app_->live();
        ChatController& chat = app_->chat();
        QCOMPARE(chat.conversationId(), -1);
        QTRY_VERIFY_WITH_TIMEOUT(live.frameSequence() > 0, 10000);
        QSignalSpy finished(&live, &LiveController::turnFinished);
        QSignalSpy ended(&live, &LiveController::sessionEnded);
        QVERIFY(live.ask(QStringLiteral("What do you see?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        // The second answer is stopped with live mode as its first words arrive.
        const QMetaObject::Connection stop_at_first_words =
            connect(&live, &LiveController::answerChanged, this, [&live] {
                if (live.active() && live.turns().size() == 2 && !live.answer().isEmpty())
                    live.stop();
            });
        const qsizetype sentences_said = speech_->said.size();
        QVERIFY(live.ask(QStringLiteral("And now?")));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 30000);
        disconnect(stop_at_first_words);
        // Nothing of the answer that came after the stop is spoken.
        QCOMPARE(speech_->said.size(), sentences_said);
        QVERIFY(!live.active());
        QCOMPARE(finished.count(), 2);
        const qint64 id = live.conversation_id();
        QVERIFY(id >= 0);
        QCOMPARE(ended.front().front().toLongLong(), id);
        QCOMPARE(live.turns().size(), 2);
        QVERIFY2(live.turns()[1].stop_reason == QLatin1String("cancelled") ||
                     live.turns()[1].stop_reason == QLatin1String("stopped by callback"),
                 qPrintable(live.turns()[1].stop_reason));

        QCOMPARE(chat.conversationId(), id);
        const MessageListModel& shown = *chat.messages();
        QCOMPARE(shown.count(), 4);
        for (int i = 0; i < 2; ++i) {
            const LiveTurn& turn = live.turns()[i];
            QCOMPARE(shown.turn(2 * i).role, TurnRole::user);
            QCOMPARE(shown.textAt(2 * i), turn.question);
            QCOMPARE(shown.turn(2 * i).images.size(), 1);  // the frame it saw
            QCOMPARE(shown.textAt(2 * i + 1), turn.answer);
        }
        QVERIFY(!shown.textAt(3).isEmpty());
        const QString stopped_stats =
            shown.data(shown.index(3), MessageListModel::StatsRole).toString();
        QVERIFY2(stopped_stats.contains(QStringLiteral("stopped")), qPrintable(stopped_stats));

        // Typing on in it: the chat's turn joins the same conversation.
        QSignalSpy answered(&chat, &ChatController::answerFinished);
        QVERIFY(chat.send(QStringLiteral("Thank you.")));
        QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 30000);
        QCOMPARE(chat.conversationId(), id);
        QCOMPARE(app_->history().listMessages(id).size(), std::size_t{6});

        // A new session is a new conversation, shown when it ends; the old one is as it was.
        live.start();
        QVERIFY(live.active());
        QCOMPARE(live.turnCount(), 0);
        QVERIFY(live.ask(QStringLiteral("What colour is it?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 30000);
        live.stop();
        QCOMPARE(ended.count(), 2);
        const qint64 second = live.conversation_id();
        QVERIFY(second >= 0 && second != id);
        QCOMPARE(chat.conversationId(), second);
        QCOMPARE(chat.messages()->count(), 2);
        QCOMPARE(chat.messages()->textAt(0), QStringLiteral("What colour is it?"));
        QCOMPARE(app_->history().listMessages(id).size(), std::size_t{6});

        // A session without a turn stores nothing and leaves the chat where it was.
        live.start();
        live.stop();
        QCOMPARE(ended.count(), 3);
        QCOMPARE(ended.back().front().toLongLong(), -1);
        QCOMPARE(chat.conversationId(), second);

        // Stopped as an answer streams and started again at once, with a question: the
        // stopped turn ends in its own session's conversation, the new session starts without
        // it, and its question is answered after it.
        live.start();
        bool restarted = false;
        const QMetaObject::Connection restart_at_first_words =
            connect(&live, &LiveController::answerChanged, this, [&live, &restarted] {
                if (!restarted && live.turnCount() == 1 && !live.answer().isEmpty()) {
                    restarted = true;
                    live.stop();
                    live.start();
                    live.ask(QStringLiteral("And now?"));
                }
            });
        QVERIFY(live.ask(QStringLiteral("Count to ten.")));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 4, 30000);
        disconnect(restart_at_first_words);
        const qint64 stopped = ended.back().front().toLongLong();
        QVERIFY(stopped >= 0 && stopped != second);
        const auto stored = app_->history().listMessages(stopped);
        QCOMPARE(stored.size(), std::size_t{2});
        QCOMPARE(stored[0].text, QStringLiteral("Count to ten."));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 5, 30000);
        QVERIFY(live.active());
        QCOMPARE(live.turnCount(), 1);
        QCOMPARE(live.turns()[0].question, QStringLiteral("And now?"));
        QVERIFY(live.conversation_id() >= 0 && live.conversation_id() != stopped);
        QCOMPARE(app_->history().listMessages(live.conversation_id()).size(), std::size_t{2});
        live.stop();
        QCOMPARE(chat.conversationId(), live.conversation_id());
    }

    void speechOverAnAnswerBeingGeneratedStopsTheGeneration() {
        QVERIFY(start_live(test_data_path("video/colours_h264_aac.mp4"), Pace::real_time, 400));
        LiveController& live = app_->live();
        QSignalSpy finished(&live, &LiveController::turnFinished);
        QSignalSpy interrupted(&live, &LiveController::interrupted);
        // A typed question; the clip's speech arrives with the first token.
        connect(&live, &LiveController::answerChanged, this, [this, &live] {
            if (!live.answer().isEmpty() && !sound_->playing() && sound_->samples_emitted() == 0)
                sound_->play(test_data_path("audio/8455-210777-0068.wav"));
        });
        QVERIFY(live.ask(QStringLiteral("Describe the picture in detail, at length.")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
        const LiveTurn& turn = live.turns().front();
        if (interrupted.count() == 1) {
            // Confirmed speech came before the answer ended: the generation was cut short.
            QVERIFY(turn.interrupted);
            QVERIFY2(turn.stop_reason == QLatin1String("cancelled") ||
                         turn.stop_reason == QLatin1String("stopped by callback"),
                     qPrintable(turn.stop_reason));
        } else {
            // The answer ended within the detector's 250 ms of speech it needs to be sure.
            QVERIFY(!turn.interrupted);
        }
        live.stop();
    }

    void aFastVideoWithASlowModelDropsFramesAndKeepsOneRequest() {
        QVERIFY(start_live(test_data_path("video/colours_30s.mp4"), Pace::fast));
        video_->set_loop(true);  // frames keep coming as fast as the event loop turns
        LiveController& live = app_->live();
        app_->live_settings().setDescribeIntervalMs(LiveSettings::kMinDescribeIntervalMs);
        live.setDescribeContinuously(true);
        QSignalSpy finished(&live, &LiveController::turnFinished);
        // Memory is measured once the first requests have set up the engine's buffers.
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 2, 60000);
        const qint64 memory_early = resident_bytes();
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() >= 10, 120000);
        live.setDescribeContinuously(false);
        QTRY_COMPARE_WITH_TIMEOUT(live.requests_in_flight(), 0, 30000);
        const qint64 memory_late = resident_bytes();

        QCOMPARE(live.most_requests_in_flight(), 1);
        const qint64 played = video_->frames_played();
        // Far fewer requests than frames: the frames in between were never queued.
        QVERIFY2(
            live.turns().size() * 10 < played,
            qPrintable(
                QStringLiteral("%1 requests, %2 frames").arg(live.turns().size()).arg(played)));
        QVERIFY(live.describe_skips() > 0);
        qint64 previous = 0;
        for (const LiveTurn& t : live.turns()) {
            QCOMPARE(t.kind, LiveTurn::Kind::describe);
            QVERIFY(t.frame_sequence > previous + 1);  // frames in between were dropped
            previous = t.frame_sequence;
        }
        // Eight more requests with hundreds of frames between them: memory stays put.
        QVERIFY2(memory_late - memory_early < 16ll << 20,
                 qPrintable(QStringLiteral("%1 -> %2").arg(memory_early).arg(memory_late)));
    }

    void aSourceThatEndsOrFailsLeavesLiveModeUsable() {
        // A "video" that is not one: the frame source fails, live mode carries on without it.
        const QString bad = files_.filePath(QStringLiteral("not-a-video.mp4"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray(4096, 'x'));
        }
        QVERIFY(start_live(bad, Pace::real_time));
        LiveController& live = app_->live();
        QTRY_VERIFY_WITH_TIMEOUT(!live.hasCamera(), 10000);
        QVERIFY(live.active());
        QVERIFY2(live.notices().join(u'\n').contains(QStringLiteral("not-a-video.mp4")),
                 qPrintable(live.notices().join(u'\n')));
        // A sound file that does not exist: reported, and the source plays the next one.
        sound_->play(files_.filePath(QStringLiteral("missing.wav")));
        QTRY_VERIFY_WITH_TIMEOUT(live.notices().join(u'\n').contains(QStringLiteral("missing.wav")),
                                 10000);
        QVERIFY(live.hasMicrophone());
        QSignalSpy finished(&live, &LiveController::turnFinished);
        QVERIFY(live.ask(QStringLiteral("Is anyone there?")));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QCOMPARE(live.turns().back().frame_sequence, 0);  // no camera: a text question
        QVERIFY(!live.turns().back().answer.isEmpty());
        // ... and keeps playing what comes next.
        const qint64 before = sound_->samples_emitted();
        sound_->play(test_data_path("audio/2830-3980-0043.wav"));
        QTRY_VERIFY_WITH_TIMEOUT(sound_->samples_emitted() >= before + 31600, 10000);

        // A video that ends keeps its last picture for the next question.
        QVERIFY(start_live(test_data_path("video/colours_h264.mkv"), Pace::fast));
        LiveController& again = app_->live();
        QSignalSpy ended(video_, &FrameSource::ended);
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 20000);
        QVERIFY(again.hasCamera());
        QSignalSpy done(&again, &LiveController::turnFinished);
        QVERIFY(again.ask(QStringLiteral("What colour is it?")));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 30000);
        QCOMPARE(again.turns().back().frame_sequence, video_->frames_played());
        again.stop();
        QCOMPARE(again.state(), LiveController::State::Off);
    }
};

const RegisterSuite<LiveModeTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_live_mode.moc"
