// The composer's microphone button through a sound-file source and the real Whisper tiny.en
// weights: the recording becomes the clip's words; too short a recording, a missing speech
// model and a machine without a microphone each give a sentence saying so.

#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "capture_device_sources.hpp"
#include "capture_file_sources.hpp"
#include "live_dictation.hpp"
#include "live_settings.hpp"
#include "live_test_support.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

class LiveDictationTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;

  private slots:
    void aRecordingBecomesText() {
        if (const QString why = whisper_test_unavailable(); !why.isEmpty()) QSKIP(qPrintable(why));
        LiveSettings settings(dir_.filePath(QStringLiteral("a.conf")));
        settings.setSpeechModel(whisper_model_path());
        DictationController dictation(&settings);
        dictation.set_source_factory([] {
            auto source = std::make_unique<FileSampleSource>(Pace::fast);
            source->play(test_data_path("audio/8455-210777-0068.wav"));
            return source;
        });
        QSignalSpy text(&dictation, &DictationController::transcribed);
        QSignalSpy failed(&dictation, &DictationController::failed);
        dictation.start();
        QVERIFY(dictation.recording());
        auto* source = static_cast<FileSampleSource*>(dictation.source());
        QTRY_VERIFY_WITH_TIMEOUT(!source->playing(), 10000);
        QCOMPARE(dictation.recordedSeconds(), 41440 / 16000.0);
        dictation.finish();
        QVERIFY(dictation.transcribing());
        // Minutes on lavapipe today: Whisper's encoder reads a whole 30-s window.
        QTRY_COMPARE_WITH_TIMEOUT(text.count() + failed.count(), 1, 300000);
        QCOMPARE(failed.count(), 0);
        QCOMPARE(text.front().front().toString().toLower().remove(u',').remove(u'.'),
                 QStringLiteral("your power is sufficient i said"));
        QVERIFY(!dictation.transcribing());
    }

    void withoutAModelOrAMicrophoneItSaysWhy() {
        LiveSettings settings(dir_.filePath(QStringLiteral("b.conf")));
        settings.setSpeechModel(dir_.filePath(QStringLiteral("missing-whisper.gguf")));
        DictationController dictation(&settings);
        QSignalSpy failed(&dictation, &DictationController::failed);

        // Too short: a click, not speech.
        dictation.set_source_factory([] {
            auto source = std::make_unique<FileSampleSource>(Pace::fast);
            source->play(test_data_path("audio/silence_16k.wav"));  // 0.5 s
            return source;
        });
        dictation.start();
        dictation.finish();
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.back().front().toString().contains(QStringLiteral("too short")));

        // A speech model that is not there: loading says so by name.
        dictation.set_source_factory([] {
            auto source = std::make_unique<FileSampleSource>(Pace::fast);
            source->play(test_data_path("audio/2830-3980-0043.wav"));
            return source;
        });
        dictation.start();
        auto* source = static_cast<FileSampleSource*>(dictation.source());
        QTRY_VERIFY_WITH_TIMEOUT(!source->playing(), 10000);
        dictation.finish();
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() >= 2, 20000);
        QVERIFY2(failed.back().front().toString().contains(QStringLiteral("missing-whisper.gguf")),
                 qPrintable(failed.back().front().toString()));

        // No microphone on this machine: the default source says so.
        if (QMediaDevices::audioInputs().isEmpty()) {
            dictation.set_source_factory({});
            const int before = static_cast<int>(failed.count());
            dictation.start();
            QCOMPARE(failed.count(), before + 1);
            QVERIFY(!dictation.recording());
            QVERIFY(failed.back().front().toString().contains(QStringLiteral("microphone")));
        }
    }
};

const RegisterSuite<LiveDictationTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_live_dictation.moc"
