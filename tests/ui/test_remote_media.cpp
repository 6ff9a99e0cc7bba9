// What the app sends a server for each attachment (remote_media.*), without a server: a WAV or
// MP3 as it is, another sound as 16 kHz mono 16-bit WAV that decodes to the same samples, a
// sound over the cap refused with one line naming it, and a video as its pictures after their
// times, then its sound.

#include <QFile>
#include <QImage>
#include <QtTest>
#include <span>

#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "remote_media.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

QString data_file(const char* relative) {
    return QStringLiteral(PRISM_TEST_DATA_DIR "/") + QLatin1String(relative);
}

ImageAttachment attachment(const QString& path, AttachmentKind kind) {
    ImageAttachment a;
    a.name = path.section('/', -1);
    a.path = path;
    a.kind = kind;
    return a;
}

media::Audio decode(const QByteArray& bytes) {
    return media::decode_audio_memory(
        std::span(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                  static_cast<std::size_t>(bytes.size())),
        "sent");
}

class RemoteMediaTest : public QObject {
    Q_OBJECT

  private slots:
    void wavAndMp3GoAsTheyAre() {
        for (const char* name : {"audio/jfk.wav", "audio/jfk.mp3"}) {
            const QList<RemotePart> parts =
                remote_parts(attachment(data_file(name), AttachmentKind::audio), true);
            QCOMPARE(parts.size(), 1);
            QCOMPARE(parts[0].kind, RemotePart::Kind::audio);
            QCOMPARE(parts[0].format, QString::fromLatin1(name).section('.', -1));
            QFile file(data_file(name));
            QVERIFY(file.open(QIODevice::ReadOnly));
            QCOMPARE(parts[0].bytes, file.readAll());
        }
    }

    // A 16-bit FLAC decodes to multiples of 1/32768, which 16-bit WAV holds exactly.
    void otherSoundsGoAsWavOfTheSameSamples() {
        const QString flac = data_file("audio/speech_16k.flac");
        const QList<RemotePart> parts = remote_parts(attachment(flac, AttachmentKind::audio), true);
        QCOMPARE(parts.size(), 1);
        QCOMPARE(parts[0].format, QStringLiteral("wav"));
        QVERIFY(parts[0].bytes.startsWith("RIFF"));
        const media::Audio sent = decode(parts[0].bytes);
        const media::Audio direct = media::decode_audio_file(flac.toStdString());
        QCOMPARE(sent.samples.size(), direct.samples.size());
        QVERIFY(sent.samples == direct.samples);
        QCOMPARE(sent.source_sample_rate, 16000);
        QCOMPARE(sent.source_channels, 1);
    }

    void aSoundOverTheCapIsRefusedNamingIt() {
        ImageAttachment long_recording;
        long_recording.name = QStringLiteral("meeting.wav");
        long_recording.kind = AttachmentKind::audio;
        // 11 minutes at 16 kHz: 21.1 MB as WAV, over the 20 MiB (10.9 minutes) cap.
        long_recording.samples.resize(11 * 60 * 16000);
        try {
            remote_parts(long_recording, true);
            QFAIL("an 11-minute sound was sent");
        } catch (const Error& e) {
            QCOMPARE(QString::fromUtf8(e.what()),
                     QStringLiteral("meeting.wav: 11.0 minutes of sound; at most 10.9 minutes go "
                                    "to a server (20 MiB as 16 kHz WAV)"));
        }
        // 10 minutes fit.
        long_recording.samples.resize(10 * 60 * 16000);
        QCOMPARE(remote_parts(long_recording, true).size(), 1);
    }

    // colours_h264_aac.mp4: 6 s, one colour a second (red, lime, blue, ...), a 440 Hz tone.
    void aVideoIsItsTimedPicturesThenItsSound() {
        const ImageAttachment clip =
            attachment(data_file("video/colours_h264_aac.mp4"), AttachmentKind::video);
        const QList<RemotePart> parts = remote_parts(clip, true);
        QCOMPARE(parts.size(), 6 * 2 + 2);
        for (int second = 0; second < 6; ++second) {
            const RemotePart& time = parts[2 * second];
            QCOMPARE(time.kind, RemotePart::Kind::text);
            QCOMPARE(time.text, (second == 0 ? QString() : QStringLiteral("\n")) +
                                    QStringLiteral("[00:0%1] ").arg(second));
            const RemotePart& picture = parts[2 * second + 1];
            QCOMPARE(picture.kind, RemotePart::Kind::image);
            QCOMPARE(picture.format, QStringLiteral("image/png"));
            const QImage image = QImage::fromData(picture.bytes, "PNG");
            QCOMPARE(image.size(), QSize(64, 48));
        }
        // Second 1 is lime, second 2 blue (tests/data/video/README.md).
        const QColor lime = QImage::fromData(parts[3].bytes, "PNG").pixelColor(32, 24);
        QVERIFY2(lime.green() > 200 && lime.red() < 60 && lime.blue() < 60,
                 qPrintable(lime.name()));
        const QColor blue = QImage::fromData(parts[5].bytes, "PNG").pixelColor(32, 24);
        QVERIFY2(blue.blue() > 200 && blue.red() < 60 && blue.green() < 60,
                 qPrintable(blue.name()));
        QCOMPARE(parts[12].text, QStringLiteral("\n"));
        QCOMPARE(parts[13].kind, RemotePart::Kind::audio);
        QCOMPARE(parts[13].format, QStringLiteral("wav"));
        const media::Audio sound = decode(parts[13].bytes);
        QVERIFY(std::abs(static_cast<double>(sound.samples.size()) / 16000 - 6.0) < 0.1);

        // Without sound (the model refused it): the pictures only.
        const QList<RemotePart> silent = remote_parts(clip, false);
        QCOMPARE(silent.size(), 6 * 2 + 1);
        QCOMPARE(silent.last().kind, RemotePart::Kind::text);
    }

    // Earlier attachments the model refused are left out and counted; a missing file is one
    // line naming it.
    void aConversationLeavesOutWhatTheModelRefused() {
        ChatTurn turn;
        turn.text = QStringLiteral("And these?");
        turn.images = {attachment(data_file("audio/jfk.wav"), AttachmentKind::audio),
                       attachment(data_file("vlm/smolvlm/image.png"), AttachmentKind::image)};
        const RemoteConversation no_sound =
            remote_conversation({turn}, QStringLiteral("Be brief."), {true, false});
        QCOMPARE(no_sound.error, QString());
        QCOMPARE(no_sound.messages.size(), 2);
        QCOMPARE(no_sound.messages[0].role, QStringLiteral("system"));
        QCOMPARE(no_sound.messages[1].parts.size(), 1);
        QCOMPARE(no_sound.messages[1].parts[0].kind, RemotePart::Kind::image);
        QCOMPARE(no_sound.left_out.sounds, 1);
        QCOMPARE(no_sound.left_out.pictures, 0);
        const RemoteConversation no_pictures = remote_conversation({turn}, {}, {false, true});
        QCOMPARE(no_pictures.messages[0].parts.size(), 1);
        QCOMPARE(no_pictures.messages[0].parts[0].kind, RemotePart::Kind::audio);
        QCOMPARE(no_pictures.left_out.pictures, 1);

        turn.images = {attachment(QStringLiteral("/nonexistent/talk.ogg"), AttachmentKind::audio)};
        const RemoteConversation missing = remote_conversation({turn}, {}, {});
        QVERIFY(missing.messages.isEmpty());
        QVERIFY2(missing.error.startsWith(QStringLiteral("/nonexistent/talk.ogg: ")) &&
                     !missing.error.contains('\n'),
                 qPrintable(missing.error));
    }
};

const RegisterSuite<RemoteMediaTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_remote_media.moc"
