// Sounds and videos in the composer and the conversation, with the real engine probe, FFmpeg
// video decoding, Qt Multimedia and SQLite: attached files become chips with ffprobe's length,
// a video's chip shows a decoded poster, playing on a machine without a sound card says so on
// the chip, a broken file gives the one-line error, a model that cannot hear says so (and the
// tiny Qwen2-Audio fixture hears), and the history keeps the chips across a restart.

#include <QAudioDevice>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMediaDevices>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QtTest>
#include <memory>

#include "app_context.hpp"
#include "audio_clip_player.hpp"
#include "data/app_paths.hpp"
#include "live_test_support.hpp"
#include "model_description.hpp"
#include "scene_items.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

QString data_file(const QString& relative) {
    return QStringLiteral(PRISM_TEST_DATA_DIR "/") + relative;
}

// ffprobe's format duration of a fixture (tools/make_probe_references.sh).
double ffprobe_seconds(const QString& relative) {
    QFile file(data_file(QStringLiteral("video/ffprobe_durations.tsv")));
    if (!file.open(QIODevice::ReadOnly)) return -1;
    QTextStream in(&file);
    while (!in.atEnd()) {
        const QStringList fields = in.readLine().split(u'\t');
        if (fields.size() >= 2 && fields[0] == relative) return fields[1].toDouble();
    }
    return -1;
}

// The chips' lengths are shown to the second; the attachment keeps the probe's value, which
// must equal ffprobe's to the millisecond.
constexpr double kDurationTolerance = 1e-3;

class MediaAttachmentsTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;
    std::unique_ptr<AppContext> app_;
    std::unique_ptr<QQmlApplicationEngine> qml_;
    QQuickWindow* window_ = nullptr;

    AppOptions options(const QString& profile) {
        AppOptions o;
        o.settings_file = files_.filePath(profile + QStringLiteral("/prism.conf"));
        o.data_folder = files_.filePath(profile + QStringLiteral("/data"));
        o.model_folders = {files_.filePath(profile + QStringLiteral("/models"))};
        return o;
    }

    void open_window(const QString& profile) {
        close_window();
        app_ = std::make_unique<AppContext>(options(profile));
        qml_ = std::make_unique<QQmlApplicationEngine>();
        window_ = app_->load_window(*qml_);
        QVERIFY(window_ != nullptr);
    }

    void close_window() {
        qml_.reset();
        app_.reset();
        window_ = nullptr;
    }

    ChatController& chat() { return app_->chat(); }
    AttachmentListModel& attachments() { return *app_->chat().attachments(); }

    QVariant attachment(int row, int role) {
        return attachments().data(attachments().index(row), role);
    }

  private slots:
    void cleanup() { close_window(); }

    void soundsAndVideosBecomeChipsWithTheirLength() {
        open_window(QStringLiteral("chips"));
        const QStringList files = {QStringLiteral("audio/jfk.wav"), QStringLiteral("audio/jfk.mp3"),
                                   QStringLiteral("audio/speech_48k.opus"),
                                   QStringLiteral("video/colours_h264_aac.mp4"),
                                   QStringLiteral("video/bench_640x360.mp4")};
        QList<QUrl> urls;
        for (const QString& f : files) urls.append(QUrl::fromLocalFile(data_file(f)));
        // Dropped on the composer as a user would.
        QQuickItem* drop = items_named(window_, QStringLiteral("composerDropArea")).value(0);
        QVERIFY(drop != nullptr);
        QMetaObject::invokeMethod(drop, "acceptUrls", Q_ARG(QVariant, QVariant::fromValue(urls)));
        QTRY_COMPARE_WITH_TIMEOUT(attachments().count(), files.size(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);

        for (int row = 0; row < files.size(); ++row) {
            const ImageAttachment& a = attachments().items()[row];
            // Decoding runs in parallel; the rows come in the order they finish.
            const QString relative = files.value(files.indexOf(
                QRegularExpression(QStringLiteral(".*/") + QRegularExpression::escape(a.name))));
            QVERIFY2(!relative.isEmpty(), qPrintable(a.name));
            const double expected = ffprobe_seconds(relative);
            QVERIFY2(expected > 0, qPrintable(relative));
            QVERIFY2(std::abs(a.duration_seconds - expected) <= kDurationTolerance,
                     qPrintable(QStringLiteral("%1: %2 s, ffprobe %3 s")
                                    .arg(a.name)
                                    .arg(a.duration_seconds)
                                    .arg(expected)));
            const bool video = relative.startsWith(QStringLiteral("video/"));
            QCOMPARE(attachment(row, AttachmentListModel::KindRole).toString(),
                     video ? QStringLiteral("video") : QStringLiteral("audio"));
            QCOMPARE(attachment(row, AttachmentListModel::DurationRole).toString(),
                     format_media_duration(expected));
            QCOMPARE(attachment(row, AttachmentListModel::SourceRole).toString().isEmpty(), !video);
        }
        QCOMPARE(format_media_duration(ffprobe_seconds(QStringLiteral("audio/jfk.mp3"))),
                 QStringLiteral("0:11"));

        // The chips as shown: three sounds with play buttons, two videos with decoded posters
        // scaled to the thumbnail size (640x360 becomes 320x180; 64x48 stays).
        QTRY_COMPARE(visible_texts(window_, QStringLiteral("mediaName")).size(), 3);
        int play_buttons = 0;
        for (QQuickItem* button : items_named(window_, QStringLiteral("playButton")))
            play_buttons += button->isVisible() ? 1 : 0;
        QCOMPARE(play_buttons, 3);
        QStringList sizes;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                sizes.clear();
                for (QQuickItem* poster : items_named(window_, QStringLiteral("videoPoster"))) {
                    if (poster->isVisible() && poster->property("status").toInt() == 1)
                        sizes << QStringLiteral("%1x%2")
                                     .arg(poster->property("implicitWidth").toInt())
                                     .arg(poster->property("implicitHeight").toInt());
                }
                sizes.sort();
                return sizes.size() == 2;
            }(),
            5000);
        QCOMPARE(sizes, (QStringList{QStringLiteral("320x180"), QStringLiteral("64x48")}));
        QVERIFY(visible_texts(window_, QStringLiteral("mediaDuration"))
                    .contains(QStringLiteral("0:06")));
    }

    void playingWithoutASoundCardSaysSoOnTheChip() {
        if (!QMediaDevices::audioOutputs().isEmpty())
            QSKIP("this machine has a sound output, so the no-device path cannot be reached");
        open_window(QStringLiteral("play"));
        chat().attachFiles({QUrl::fromLocalFile(data_file(QStringLiteral("audio/jfk.wav")))});
        QTRY_COMPARE(attachments().count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);
        QQuickItem* play = nullptr;
        QTRY_VERIFY((play = items_named(window_, QStringLiteral("playButton")).value(0)) !=
                    nullptr);
        QMetaObject::invokeMethod(play, "clicked");
        QTRY_COMPARE_WITH_TIMEOUT(visible_texts(window_, QStringLiteral("playError")),
                                  QStringList{QStringLiteral("No sound output on this computer")},
                                  AudioClipPlayer::kStartTimeoutMs + 1000);
        // Nothing is left playing; a second try says the same.
        QCOMPARE(play->property("text").toString(), QStringLiteral("▶"));
        QMetaObject::invokeMethod(play, "clicked");
        QTRY_COMPARE(visible_texts(window_, QStringLiteral("playError")).size(), 1);
    }

    // A 64 MiB sound (a WAV of silence, sparse on disk) is copied into the history and hashed
    // on a worker thread: the chip says "importing…" and Send waits, while the UI thread keeps
    // turning (a timer fires during the copy); the stored copy is the file, byte for byte.
    void aLargeAttachmentIsImportedOffTheUiThread() {
        open_window(QStringLiteral("import"));
        const QString path = files_.filePath(QStringLiteral("long-silence.wav"));
        {
            constexpr quint32 kDataBytes = 64u << 20;
            QByteArray header("RIFF");
            const auto u32 = [&](quint32 v) {
                for (int i = 0; i < 4; ++i) header.append(char((v >> (8 * i)) & 0xff));
            };
            const auto u16 = [&](quint16 v) {
                header.append(char(v & 0xff));
                header.append(char(v >> 8));
            };
            u32(36 + kDataBytes);
            header.append("WAVEfmt ");
            u32(16);
            u16(1);
            u16(1);
            u32(16000);
            u32(32000);
            u16(2);
            u16(16);
            header.append("data");
            u32(kDataBytes);
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(header), qint64(44));
            QVERIFY(file.resize(44 + qint64(kDataBytes)));  // sparse: holes read as zeros
        }
        int ticks_while_importing = 0;
        QTimer ticker;
        ticker.setInterval(5);
        connect(&ticker, &QTimer::timeout, this, [&] {
            if (attachments().importing()) ++ticks_while_importing;
        });
        ticker.start();
        chat().attachFiles({QUrl::fromLocalFile(path)});
        QTRY_COMPARE_WITH_TIMEOUT(attachments().count(), 1, 10000);
        const bool shown_importing = attachments().importing();
        if (shown_importing) {
            QVERIFY(attachment(0, AttachmentListModel::ImportingRole).toBool());
            QSignalSpy notices(&chat(), &ChatController::notify);
            QVERIFY(!chat().send(QStringLiteral("What is this?")));
            QCOMPARE(notices.size(), 1);
            QVERIFY2(notices[0][0].toString().contains(QStringLiteral("long-silence.wav")),
                     qPrintable(notices[0][0].toString()));
        }
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 60000);
        ticker.stop();
        QVERIFY(shown_importing);
        QVERIFY2(ticks_while_importing >= 3, qPrintable(QString::number(ticks_while_importing)));
        QVERIFY(!attachment(0, AttachmentListModel::ImportingRole).toBool());
        const ImageAttachment& a = attachments().items().at(0);
        QVERIFY(a.stored.has_value());
        const QString stored = QDir(app_->history().dataFolder()).filePath(a.stored->relative_path);
        const auto sha256 = [](const QString& file_path) {
            QFile file(file_path);
            QCryptographicHash hash(QCryptographicHash::Sha256);
            return file.open(QIODevice::ReadOnly) && hash.addData(&file) ? hash.result()
                                                                         : QByteArray();
        };
        const QByteArray source_hash = sha256(path);
        QVERIFY(!source_hash.isEmpty());
        QCOMPARE(sha256(stored), source_hash);
        QVERIFY(a.stored->relative_path.contains(QString::fromLatin1(source_hash.toHex())));
        // Taken out unsent, the copy goes too.
        attachments().remove(0);
        QTRY_VERIFY(!QFileInfo::exists(stored));
    }

    // A copy that cannot be made (the history's images folder is a file here) takes the chip
    // away with one line naming the file.
    void aFailedImportRemovesTheChipWithOneLine() {
        open_window(QStringLiteral("import-fails"));
        const QString images =
            QDir(app_->history().dataFolder()).filePath(QStringLiteral("images"));
        QDir(images).removeRecursively();
        {
            QFile blocker(images);
            QVERIFY(blocker.open(QIODevice::WriteOnly));
        }
        QSignalSpy notices(&chat(), &ChatController::notify);
        chat().attachFiles({QUrl::fromLocalFile(data_file(QStringLiteral("audio/jfk.wav")))});
        QTRY_COMPARE_WITH_TIMEOUT(notices.size(), 1, 10000);
        const QString notice = notices[0][0].toString();
        QVERIFY2(
            notice.startsWith(QStringLiteral("Cannot store jfk.wav in ")) && !notice.contains('\n'),
            qPrintable(notice));
        QCOMPARE(attachments().count(), 0);
        QVERIFY(!attachments().importing());
    }

    void lengthsReadAsAClockWould() {
        QCOMPARE(format_media_duration(0), QStringLiteral("0:00"));
        QCOMPARE(format_media_duration(6.4), QStringLiteral("0:06"));
        QCOMPARE(format_media_duration(59.6), QStringLiteral("1:00"));
        QCOMPARE(format_media_duration(12 * 60 + 41), QStringLiteral("12:41"));
        QCOMPARE(format_media_duration(3600 + 2 * 60 + 3), QStringLiteral("1:02:03"));
        QCOMPARE(format_media_duration(-1), QStringLiteral("0:00"));
    }

    // Cut short, empty, or not what the name says: one line each, naming the file, and
    // nothing attached.
    void aBrokenFileGivesTheOneLineError() {
        open_window(QStringLiteral("broken"));
        QSignalSpy notices(&chat(), &ChatController::notify);
        const auto write = [&](const QString& name, const QByteArray& bytes) {
            QFile copy(files_.filePath(name));
            QVERIFY(copy.open(QIODevice::WriteOnly));
            QCOMPARE(copy.write(bytes), bytes.size());
            copy.close();
            chat().attachFiles({QUrl::fromLocalFile(copy.fileName())});
        };
        const auto bytes_of = [&](const QString& relative) {
            QFile source(data_file(relative));
            return source.open(QIODevice::ReadOnly) ? source.readAll() : QByteArray();
        };
        const QByteArray wav = bytes_of(QStringLiteral("audio/jfk.wav"));
        const QByteArray mp4 = bytes_of(QStringLiteral("video/colours_h264_aac.mp4"));
        const QByteArray png = bytes_of(QStringLiteral("sample-images/chelsea.png"));
        QVERIFY(!wav.isEmpty() && !mp4.isEmpty() && !png.isEmpty());
        write(QStringLiteral("cut.wav"), wav.left(wav.size() / 2));
        write(QStringLiteral("cut.mp4"), mp4.left(mp4.size() / 2));
        write(QStringLiteral("empty.mp3"), {});
        write(QStringLiteral("photo.wav"), png);
        QTRY_COMPARE_WITH_TIMEOUT(notices.size(), 4, 10000);
        QStringList lines;
        for (const QList<QVariant>& n : notices) lines << n[0].toString();
        lines.sort();
        const QStringList starts = {QStringLiteral("cut.mp4: the file is truncated"),
                                    QStringLiteral("cut.wav: the file is truncated"),
                                    QStringLiteral("empty.mp3: "),
                                    QStringLiteral("photo.wav: not a sound or video file")};
        for (int i = 0; i < starts.size(); ++i) {
            QVERIFY2(lines[i].startsWith(starts[i]), qPrintable(lines[i]));
            QVERIFY2(!lines[i].contains(u'\n'), qPrintable(lines[i]));
        }
        QVERIFY2(lines[2].contains(QStringLiteral("empty")), qPrintable(lines[2]));
        QVERIFY2(lines[3].contains(QStringLiteral("PNG"), Qt::CaseInsensitive),
                 qPrintable(lines[3]));
        QCOMPARE(attachments().count(), 0);
    }

    void aModelThatCannotHearSaysSoAndOffersTranscription() {
        open_window(QStringLiteral("deaf"));
        QVERIFY2(!demo_model_path().isEmpty(), "resources/models/stories260K.gguf not found");
        app_->engine().loadModel(demo_model_path());
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
        QVERIFY(!app_->engine().hasAudio());
        chat().attachFiles({QUrl::fromLocalFile(data_file(QStringLiteral("audio/jfk.wav")))});
        QTRY_COMPARE(attachments().count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);
        const QString engine_words =
            QStringLiteral("This model has no audio encoder; load an mmproj with one.");
        QCOMPARE(chat().attachmentsProblem(), engine_words);
        QTRY_COMPARE(visible_texts(window_, QStringLiteral("visionWarning")),
                     QStringList{engine_words});
        QSignalSpy notices(&chat(), &ChatController::notify);
        QVERIFY(!chat().send(QStringLiteral("What is said?")));
        QCOMPARE(notices.size(), 1);
        QCOMPARE(notices[0][0].toString(), engine_words);
        QCOMPARE(attachments().count(), 1);  // kept for another model or a transcription

        // A video as well: one sentence for both encoders the model lacks.
        chat().attachFiles(
            {QUrl::fromLocalFile(data_file(QStringLiteral("video/colours_h264_aac.mp4")))});
        QTRY_COMPARE(attachments().count(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);
        QTRY_COMPARE(visible_texts(window_, QStringLiteral("visionWarning")),
                     QStringList{QStringLiteral(
                         "This model has no vision or audio encoder; load an mmproj with them.")});
        attachments().remove(attachments().items()[0].kind == AttachmentKind::video ? 0 : 1);
        QCOMPARE(chat().attachmentsProblem(), engine_words);

        // The offer to transcribe shows exactly when a speech model is chosen.
        app_->live_settings().setSpeechModel(files_.filePath(QStringLiteral("whisper.gguf")));
        QQuickItem* transcribe = items_named(window_, QStringLiteral("transcribeButton")).value(0);
        QVERIFY(transcribe != nullptr);
        QTRY_VERIFY(transcribe->isVisible());
        // A speech model that cannot be loaded says so; the sound stays in the composer.
        QSignalSpy failures(&app_->dictation(), &DictationController::failed);
        QMetaObject::invokeMethod(transcribe, "clicked");
        QTRY_COMPARE_WITH_TIMEOUT(failures.size(), 1, 10000);
        QVERIFY2(failures[0][0].toString().contains(QStringLiteral("whisper.gguf")),
                 qPrintable(failures[0][0].toString()));
        QTest::qWait(100);
        QCOMPARE(attachments().count(), 1);
        QCOMPARE(chat().attachmentsProblem(), engine_words);
    }

    // With a Whisper model that loads, the sound becomes words in the message box and leaves
    // the composer.
    void anUnheardSoundIsTranscribedIntoTheMessage() {
        if (const QString why = whisper_test_unavailable(); !why.isEmpty()) QSKIP(qPrintable(why));
        open_window(QStringLiteral("transcribe"));
        app_->engine().loadModel(demo_model_path());
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
        app_->live_settings().setSpeechModel(whisper_model_path());
        chat().attachFiles(
            {QUrl::fromLocalFile(data_file(QStringLiteral("audio/4507-16021-0012.wav")))});
        QTRY_COMPARE(attachments().count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);
        QQuickItem* transcribe = items_named(window_, QStringLiteral("transcribeButton")).value(0);
        QVERIFY(transcribe != nullptr);
        QTRY_VERIFY(transcribe->isVisible());
        QSignalSpy words(&app_->dictation(), &DictationController::transcribed);
        QMetaObject::invokeMethod(transcribe, "clicked");
        QTRY_COMPARE_WITH_TIMEOUT(words.size(), 1, 300000);
        QTRY_COMPARE(attachments().count(), 0);
        QQuickItem* input = items_named(window_, QStringLiteral("composerInput")).value(0);
        QVERIFY(input != nullptr);
        QString said;
        for (const QChar c : input->property("text").toString().toLower())
            if (c.isLetter() || c == u' ') said.append(c);
        QCOMPARE(said.simplified(), QStringLiteral("why should one halt on the way"));
        QVERIFY(chat().attachmentsProblem().isEmpty());
    }

    // A conversation with sounds and pictures continued with a text-only model: they are left
    // out, and the answer says so rather than losing them silently.
    void earlierAttachmentsTheModelCannotTakeAreNamedInTheNote() {
        open_window(QStringLiteral("left-out"));
        app_->engine().loadModel(demo_model_path());
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
        chat().setProperty("maxTokens", 4);
        chat().add_user_turn(
            QStringLiteral("Listen and watch"),
            {QUrl::fromLocalFile(data_file(QStringLiteral("audio/jfk.wav"))),
             QUrl::fromLocalFile(data_file(QStringLiteral("video/colours_h264_aac.mp4"))),
             QUrl::fromLocalFile(data_file(QStringLiteral("sample-images/chelsea.png")))});
        QVERIFY(chat().regenerate());
        QTRY_VERIFY_WITH_TIMEOUT(!chat().generating(), 30000);
        MessageListModel& messages = *chat().messages();
        QCOMPARE(messages.count(), 2);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        const QString note =
            messages.data(messages.index(1), MessageListModel::NoteRole).toString();
        QVERIFY2(note.contains(QStringLiteral("2 pictures and videos of earlier messages were left "
                                              "out: this model has no vision encoder.")),
                 qPrintable(note));
        QVERIFY2(
            note.contains(QStringLiteral(
                "A sound of an earlier message was left out: this model has no audio encoder.")),
            qPrintable(note));
    }

    void aSoundReachesAModelThatHears() {
        const QString fixture = data_file(QStringLiteral("audio-models/qwen2a"));
        QVERIFY2(QFileInfo::exists(fixture + "/mmproj.gguf"),
                 "tests/data/audio-models/qwen2a is missing");
        open_window(QStringLiteral("hearing"));
        app_->settings().setTemperature(0.0);
        chat().setProperty("maxTokens", 4);
        app_->engine().loadModel(fixture + "/text.gguf", fixture + "/mmproj.gguf");
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
        QVERIFY(app_->engine().hasAudio());
        chat().attachFiles(
            {QUrl::fromLocalFile(data_file(QStringLiteral("audio/speech_16k.flac")))});
        QTRY_COMPARE(attachments().count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);
        QVERIFY(chat().attachmentsProblem().isEmpty());
        QVERIFY(chat().send(QStringLiteral("What is said?")));
        QTRY_VERIFY_WITH_TIMEOUT(!chat().generating(), 30000);
        MessageListModel& messages = *chat().messages();
        QCOMPARE(messages.count(), 2);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        // The answer's figures count the sound the audio encoder took.
        const QString stats =
            messages.data(messages.index(1), MessageListModel::StatsRole).toString();
        QVERIFY2(stats.contains(QStringLiteral("audio encode")), qPrintable(stats));
        const QVariantList media =
            messages.data(messages.index(0), MessageListModel::MediaRole).toList();
        QCOMPARE(media.size(), 1);
        QCOMPARE(media[0].toMap().value(QStringLiteral("kind")).toString(),
                 QStringLiteral("audio"));
        QTRY_COMPARE(items_named(window_, QStringLiteral("audioChip")).size(), 1);
    }

    void aVideoReachesAModelThatSeesAsPictures() {
        const QString fixture = data_file(QStringLiteral("vlm/llava"));
        QVERIFY2(QFileInfo::exists(fixture + "/mmproj.gguf"), "tests/data/vlm/llava is missing");
        open_window(QStringLiteral("seeing"));
        app_->settings().setTemperature(0.0);
        // Room for every picture: a video may take half the context.
        app_->settings().setContextSize(1024);
        chat().setProperty("maxTokens", 4);
        app_->engine().loadModel(fixture + "/text.gguf", fixture + "/mmproj.gguf");
        QTRY_VERIFY_WITH_TIMEOUT(app_->engine().modelLoaded(), 30000);
        QVERIFY(app_->engine().hasVision());
        // Silent, so the pictures alone are encoded.
        const QString video = QStringLiteral("video/colours_h264.mkv");
        chat().attachFiles({QUrl::fromLocalFile(data_file(video))});
        QTRY_COMPARE(attachments().count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!attachments().importing(), 20000);
        QVERIFY(chat().attachmentsProblem().isEmpty());
        QVERIFY(chat().send(QStringLiteral("What happens?")));
        QTRY_VERIFY_WITH_TIMEOUT(!chat().generating(), 60000);
        MessageListModel& messages = *chat().messages();
        QCOMPARE(messages.count(), 2);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        // The engine's default sampling, one picture a second, over ffprobe's length.
        const int pictures = static_cast<int>(std::ceil(ffprobe_seconds(video)));
        const QString stats =
            messages.data(messages.index(1), MessageListModel::StatsRole).toString();
        QVERIFY2(stats.contains(QStringLiteral("(%1 pictures)").arg(pictures)), qPrintable(stats));
    }

    void theHistoryKeepsSoundsAndVideos() {
        open_window(QStringLiteral("history"));
        chat().add_user_turn(
            QStringLiteral("Listen and watch"),
            {QUrl::fromLocalFile(data_file(QStringLiteral("audio/jfk.wav"))),
             QUrl::fromLocalFile(data_file(QStringLiteral("video/colours_h264_aac.mp4")))});
        const qint64 id = chat().conversationId();
        QVERIFY(id >= 0);
        close_window();

        open_window(QStringLiteral("history"));
        QVERIFY(chat().openConversation(id));
        MessageListModel& messages = *chat().messages();
        QCOMPARE(messages.count(), 1);
        const QVariantList media =
            messages.data(messages.index(0), MessageListModel::MediaRole).toList();
        QCOMPARE(media.size(), 2);
        const QVariantMap sound = media[0].toMap();
        QCOMPARE(sound.value(QStringLiteral("kind")).toString(), QStringLiteral("audio"));
        QCOMPARE(sound.value(QStringLiteral("name")).toString(), QStringLiteral("jfk.wav"));
        QCOMPARE(sound.value(QStringLiteral("duration")).toString(), QStringLiteral("0:11"));
        // The stored copy, in the history's folder, plays.
        const QString stored = sound.value(QStringLiteral("fileUrl")).toUrl().toLocalFile();
        QVERIFY2(stored.startsWith(options(QStringLiteral("history")).data_folder),
                 qPrintable(stored));
        QVERIFY(QFileInfo(stored).size() ==
                QFileInfo(data_file(QStringLiteral("audio/jfk.wav"))).size());
        QCOMPARE(media[1].toMap().value(QStringLiteral("kind")).toString(),
                 QStringLiteral("video"));
        QCOMPARE(media[1].toMap().value(QStringLiteral("duration")).toString(),
                 QStringLiteral("0:06"));
        // The poster is decoded again, off the UI thread, and reaches the chip.
        QTRY_VERIFY_WITH_TIMEOUT(!messages.data(messages.index(0), MessageListModel::MediaRole)
                                      .toList()[1]
                                      .toMap()
                                      .value(QStringLiteral("source"))
                                      .toString()
                                      .isEmpty(),
                                 5000);
        QTRY_COMPARE(items_named(window_, QStringLiteral("audioChip")).size(), 1);
        QTRY_COMPARE(items_named(window_, QStringLiteral("videoChip")).size(), 1);
    }
};

const RegisterSuite<MediaAttachmentsTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_media_attachments.moc"
