// prism-bench live as a program: its help, and bad input refused with one line naming the
// problem before anything is loaded (a whole run takes Whisper's time on lavapipe, so the
// measured run is docs/benchmarks.md's, not a test's). prism-bench aec: a short run's figures,
// and bad input in one line.

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

#include "live_test_support.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

struct Run {
    int exit_code = -1;
    QString out, err;
};

Run bench(const QStringList& args, const QString& command = QStringLiteral("live")) {
    QProcess p;
    p.start(QStringLiteral(PRISM_BENCH_PATH), QStringList{command} + args);
    Run r;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exit_code = p.exitCode();
    r.out = QString::fromUtf8(p.readAllStandardOutput());
    r.err = QString::fromUtf8(p.readAllStandardError()).trimmed();
    return r;
}

class LiveBenchTest : public QObject {
    Q_OBJECT

  private slots:
    void helpGoesToStdout() {
        const Run r = bench({QStringLiteral("--help")});
        QCOMPARE(r.exit_code, 0);
        QVERIFY(r.out.startsWith(QStringLiteral("usage: prism-bench live")));
    }

    void badInputIsOneLine() {
        const QString clip = test_data_path(QStringLiteral("vad/silero-v6.2.0-ggml.bin"));
        const struct {
            QStringList args;
            QString says;
        } cases[] = {
            {{}, QStringLiteral("live: no model (-m MODEL.gguf)")},
            {{"-m", "model.gguf"}, QStringLiteral("live: no Whisper model (-w WHISPER.gguf)")},
            {{"-m", "m.gguf", "-w", "w.gguf", "-r", "0"},
             QStringLiteral("-r: '0' is out of range (at least 1)")},
            {{"-m", "m.gguf", "-w", "w.gguf", "-r", "x"},
             QStringLiteral("-r: 'x' is not an integer")},
            {{"-m", "m.gguf", "-w", "w.gguf", "-r", "101"},
             QStringLiteral("live: -r: at most 100")},
            {{"-m", "m.gguf", "-w", "w.gguf", "--clip", "/nonexistent.wav"},
             QStringLiteral("/nonexistent.wav: cannot open")},
            {{"-m", "m.gguf", "-w", "w.gguf", "--clip", clip},
             clip + QStringLiteral(": not a recognised audio file")},
            {{"-m", "m.gguf", "-w", "w.gguf", "--clip"},
             QStringLiteral("live: --clip needs a value")},
        };
        for (const auto& c : cases) {
            const Run r = bench(c.args);
            QCOMPARE(r.exit_code, 1);
            QVERIFY2(r.err.startsWith(QStringLiteral("prism-bench: ")) && r.err.contains(c.says),
                     qPrintable(r.err));
            QVERIFY2(!r.err.contains(u'\n'), qPrintable(r.err));
        }
    }

    // Two seconds of sound once: the canceller's and speexdsp's own CPU time per frame, both
    // far under a 16-ms frame.
    void aecMeasuresTheCanceller() {
        const QString aec = QStringLiteral("aec");
        const Run r = bench({QStringLiteral("--seconds"), QStringLiteral("2"), QStringLiteral("-r"),
                             QStringLiteral("1"), QStringLiteral("--json")},
                            aec);
        QCOMPARE(r.exit_code, 0);
        const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(o[QStringLiteral("bench")].toString(), aec);
        QCOMPARE(o[QStringLiteral("frames")].toInt(), 2 * 16000 / 256);
        QCOMPARE(o[QStringLiteral("tail_ms")].toInt(), 200);
        for (const char* key : {"cpu_us_per_frame", "speexdsp_alone_cpu_us_per_frame"}) {
            const double us = o[QLatin1String(key)].toDouble();
            QVERIFY2(us > 0 && us < 16000, qPrintable(r.out));
        }
        QVERIFY(bench({QStringLiteral("--help")}, aec)
                    .out.startsWith(QStringLiteral("usage: prism-bench aec")));
        const struct {
            QStringList args;
            QString says;
        } cases[] = {
            {{"--seconds", "0"}, QStringLiteral("--seconds: '0' is out of range")},
            {{"--tail-ms", "8"}, QStringLiteral("--tail-ms: '8' is out of range")},
            {{"--tail-ms"}, QStringLiteral("aec: '--tail-ms' needs a value")},
            {{"--loud", "1"}, QStringLiteral("aec: unknown option '--loud'")},
        };
        for (const auto& c : cases) {
            const Run bad = bench(c.args, aec);
            QCOMPARE(bad.exit_code, 1);
            QVERIFY2(bad.err.startsWith(QStringLiteral("prism-bench: ")) &&
                         bad.err.contains(c.says) && !bad.err.contains(u'\n'),
                     qPrintable(bad.err));
        }
    }
};

const RegisterSuite<LiveBenchTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_live_bench.moc"
