// Live mode's pieces that need no model: Markdown made speakable, generated text cut into
// sentences, a microphone's format converted to 16 kHz mono, the picture-change detector,
// the settings' limits, the capture layer's answer when this machine has no devices, and a
// recording kept as a WAV.

#include <QAudioFormat>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <limits>
#include <numbers>

#include "capture_device_sources.hpp"
#include "capture_file_sources.hpp"
#include "live_frames.hpp"
#include "live_settings.hpp"
#include "live_speech_text.hpp"
#include "live_test_support.hpp"
#include "prism/media/audio.hpp"
#include "ui_test_suites.hpp"
#include "wav_file.hpp"

namespace prism::ui::test {
namespace {

QByteArray stereo_s16_sine(int rate, int frames, double hz) {
    QByteArray bytes(frames * 2 * 2, Qt::Uninitialized);
    auto* p = reinterpret_cast<qint16*>(bytes.data());
    for (int i = 0; i < frames; ++i) {
        const double v = 0.5 * std::sin(2 * std::numbers::pi * hz * i / rate);
        p[2 * i] = static_cast<qint16>(std::lround(v * 32767));
        p[2 * i + 1] = static_cast<qint16>(std::lround(v * 32767));
    }
    return bytes;
}

class LivePartsTest : public QObject {
    Q_OBJECT

  private slots:
    void markdownBecomesSpeakableText() {
        QCOMPARE(speakable_text(QStringLiteral("## A **red** ball")), QStringLiteral("A red ball"));
        QCOMPARE(speakable_text(QStringLiteral("- one\n- *two*\n1. three")),
                 QStringLiteral("one two three"));
        QCOMPARE(speakable_text(QStringLiteral("See [the docs](http://x.y/z) and `ls -l`.")),
                 QStringLiteral("See the docs and ls -l."));
        QCOMPARE(speakable_text(QStringLiteral("Run:\n```sh\nrm -rf /tmp/x\n```\nDone.")),
                 QStringLiteral("Run: (code) Done."));
        QCOMPARE(speakable_text(QStringLiteral("| a | b |\n|---|---|\n| 1 | 2 |")),
                 QStringLiteral("a b 1 2"));
        QCOMPARE(speakable_text(QStringLiteral("> quoted ~~gone~~ text")),
                 QStringLiteral("quoted gone text"));
    }

    void generatedPiecesAreCutIntoSentences() {
        SentenceChunker chunker;
        QStringList out;
        for (const QString& piece : {QStringLiteral("I see a "), QStringLiteral("red ball. It "),
                                     QStringLiteral("is **big**!"), QStringLiteral(" Also e.g. "),
                                     QStringLiteral("a cat")}) {
            out += chunker.push(piece);
        }
        QCOMPARE(out,
                 (QStringList{QStringLiteral("I see a red ball."), QStringLiteral("It is big!")}));
        QCOMPARE(chunker.finish(), QStringList{QStringLiteral("Also e.g. a cat")});
        QCOMPARE(chunker.finish(), QStringList());
        // A code block is not cut in the middle, and is not read out.
        out = chunker.push(QStringLiteral("Try this:\n```\nx = 1. y = 2\n"));
        QCOMPARE(out, QStringList{QStringLiteral("Try this:")});
        out = chunker.push(QStringLiteral("```\nThat is all. "));
        QCOMPARE(out, QStringList{QStringLiteral("(code) That is all.")});
    }

    void microphoneSoundBecomes16kMono() {
        QAudioFormat format;
        format.setSampleRate(48000);
        format.setChannelCount(2);
        format.setSampleFormat(QAudioFormat::Int16);
        const int frames = 4800;  // 100 ms
        const QByteArray bytes = stereo_s16_sine(48000, frames, 440.0);
        double position = 0;
        float previous = 0;
        const QList<float> whole = to_mono_16k(bytes, format, position, previous);
        QCOMPARE(whole.size(), 1600);
        // Linear interpolation of a 440 Hz tone sampled at 48 kHz is off by at most
        // (2 pi 440 / 48000)^2 / 8 of the amplitude (2e-4 here), plus 16-bit rounding; the
        // output lags the input by one input sample (the carried previous one).
        double worst = 0;
        for (int i = 1; i < whole.size(); ++i) {
            const double t = (3.0 * i - 1.0) / 48000.0;
            const double expected = 0.5 * std::sin(2 * std::numbers::pi * 440.0 * t);
            worst = std::max(worst, std::abs(whole[i] - expected));
        }
        QVERIFY2(worst < 1e-3, qPrintable(QString::number(worst)));
        // In uneven chunks the same samples come out.
        position = 0;
        previous = 0;
        QList<float> chunked;
        for (int start = 0; start < frames;) {
            const int n = std::min(frames - start, 333 + start % 7);
            chunked += to_mono_16k(bytes.mid(start * 4, n * 4), format, position, previous);
            start += n;
        }
        QCOMPARE(chunked.size(), whole.size());
        for (int i = 0; i < whole.size(); ++i) QVERIFY(std::abs(chunked[i] - whole[i]) < 1e-6f);
    }

    // A spoken question kept as a WAV: FFmpeg (the engine's decoder) reads back the samples
    // within half a 16-bit step; out-of-range samples are clipped, not wrapped, and NaN is 0.
    void aRecordingIsKeptAsAWavFFmpegReads() {
        QTemporaryDir dir;
        QList<float> samples;
        for (int i = 0; i < 16000; ++i)
            samples.append(
                static_cast<float>(0.8 * std::sin(2 * std::numbers::pi * 440 * i / 16000)));
        samples.append({1.5f, -2.0f, std::numeric_limits<float>::quiet_NaN()});
        const QString path = dir.filePath(QStringLiteral("question.wav"));
        QCOMPARE(write_wav_file(path, samples, 16000), QString());
        const media::Audio audio = media::decode_audio_file(path.toStdString());
        QCOMPARE(audio.source_codec, std::string("pcm_s16le"));
        QCOMPARE(audio.source_sample_rate, 16000);
        QCOMPARE(audio.samples.size(), static_cast<std::size_t>(samples.size()));
        double worst = 0;
        for (int i = 0; i < 16000; ++i)
            worst = std::max(worst, std::abs(double(audio.samples[i]) - samples[i]));
        // Half a 16-bit step (1.53e-5) at most.
        QVERIFY2(worst <= 0.5 / 32768 + 1e-9, qPrintable(QString::number(worst)));
        QVERIFY(std::abs(audio.samples[16000] - 1.0f) < 1e-4f);
        QVERIFY(std::abs(audio.samples[16001] + 1.0f) < 1e-4f);
        QCOMPARE(audio.samples[16002], 0.0f);

        const QString nowhere = dir.filePath(QStringLiteral("missing/question.wav"));
        const QString error = write_wav_file(nowhere, samples, 16000);
        QVERIFY2(error.startsWith(nowhere + QStringLiteral(": ")), qPrintable(error));
    }

    void theChangeDetectorIgnoresNoiseButNotANewScene() {
        QImage red(64, 48, QImage::Format_RGB888);
        red.fill(QColor(200, 30, 30));
        QImage noisy = red;
        for (int y = 0; y < noisy.height(); ++y) {
            for (int x = 0; x < noisy.width(); ++x) {
                const int d = ((x * 7 + y * 13) % 5) - 2;
                noisy.setPixelColor(x, y, QColor(200 + d, 30 + d, 30 + d));
            }
        }
        QImage blue(64, 48, QImage::Format_RGB888);
        blue.fill(QColor(30, 30, 200));
        FrameChangeDetector detector;
        QVERIFY(detector.changed(red));
        detector.accept(red);
        QVERIFY(!detector.changed(noisy));
        QVERIFY(detector.changed(blue));
    }

    void settingsAreClampedAndKept() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("prism.conf"));
        {
            LiveSettings s(file);
            QCOMPARE(s.endOfTurnMs(), 500);
            s.setEndOfTurnMs(5);
            QCOMPARE(s.endOfTurnMs(), LiveSettings::kMinEndOfTurnMs);
            s.setDescribeIntervalMs(1500);
            s.setSpeakAnswers(false);
            s.setSpeechModel(QStringLiteral("/models/whisper.gguf"));
        }
        LiveSettings again(file);
        QCOMPARE(again.endOfTurnMs(), LiveSettings::kMinEndOfTurnMs);
        QCOMPARE(again.describeIntervalMs(), 1500);
        QVERIFY(!again.speakAnswers());
        QCOMPARE(again.speechModel(), QStringLiteral("/models/whisper.gguf"));
    }

    // Without a setting or $PRISM_WHISPER_MODEL, a whisper.cpp model in the model cache is the
    // speech model; its Silero VAD file beside it is not.
    void aWhisperCppModelInTheCacheIsTheDefaultSpeechModel() {
        QTemporaryDir home;
        const QByteArray old_home = qgetenv("HOME"), old_model = qgetenv("PRISM_WHISPER_MODEL");
        qputenv("HOME", home.path().toUtf8());
        qunsetenv("PRISM_WHISPER_MODEL");
        const QString cache = home.filePath(QStringLiteral(".cache/prism/models"));
        QVERIFY(QDir().mkpath(cache));
        LiveSettings s(home.filePath(QStringLiteral("prism.conf")));
        QCOMPARE(s.speechModel(), QString());
        for (const char* name : {"ggml-silero-v6.2.0.bin", "ggml-tiny.en.bin"}) {
            QFile f(cache + QLatin1Char('/') + QLatin1String(name));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        const QString found = s.speechModel();
        qputenv("HOME", old_home);
        if (!old_model.isEmpty()) qputenv("PRISM_WHISPER_MODEL", old_model);
        QCOMPARE(found, cache + QStringLiteral("/ggml-tiny.en.bin"));
    }

    void theEncoderInputSideIsReadFromTheProjector() {
        QCOMPARE(encoder_input_side(test_data_path("vlm/llava/mmproj.gguf")), 32);
        QCOMPARE(encoder_input_side(test_data_path("vlm/llava/text.gguf"), 123), 123);
        QCOMPARE(encoder_input_side(QStringLiteral("/nonexistent.gguf"), 77), 77);
    }

    void withoutDevicesCaptureSaysWhy() {
        if (!QMediaDevices::videoInputs().isEmpty() || !QMediaDevices::audioInputs().isEmpty())
            QSKIP("this machine has capture devices");
        CameraFrameSource camera;
        QSignalSpy camera_failed(&camera, &FrameSource::failed);
        camera.start();
        QCOMPARE(camera_failed.count(), 1);
        QVERIFY(!camera.active());
        MicrophoneSampleSource microphone;
        QSignalSpy microphone_failed(&microphone, &SampleSource::failed);
        microphone.start();
        QCOMPARE(microphone_failed.count(), 1);
        const QString why = microphone_failed.front().front().toString();
        QVERIFY2(why.contains(QStringLiteral("microphone")), qPrintable(why));
    }

    void aSoundFilePlaysInOrderAndBadFilesAreReported() {
        FileSampleSource source(Pace::fast);
        QSignalSpy failed(&source, &SampleSource::failed);
        QSignalSpy ended(&source, &SampleSource::ended);
        qint64 received = 0;
        connect(&source, &SampleSource::samples, this,
                [&received](const QList<float>& chunk) { received += chunk.size(); });
        QTemporaryDir dir;
        const QString empty = dir.filePath(QStringLiteral("empty.wav"));
        QFile(empty).open(QIODevice::WriteOnly);
        source.play(empty);
        source.play(test_data_path("audio/2830-3980-0043.wav"));
        QTRY_COMPARE_WITH_TIMEOUT(ended.count(), 1, 10000);
        QCOMPARE(failed.count(), 1);
        QVERIFY(failed.front().front().toString().contains(QStringLiteral("empty.wav")));
        QCOMPARE(received, 31600);  // the clip's samples (tests/data/whisper/references.txt)
    }
};

const RegisterSuite<LivePartsTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_live_parts.moc"
