// SettingsStore: defaults, clamping, change signals, persistence, hand-edited files.
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <limits>

#include "data/settings_store.hpp"
#include "ui/data/test_suites.hpp"

using prism::ui::SettingsStore;

class SettingsStoreTest : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    QString file(const char* name) const { return dir_.filePath(QString::fromLatin1(name)); }

  private slots:
    void defaultsMatchTheEngine() {
        SettingsStore s(file("defaults.ini"));
        QCOMPARE(s.temperature(), 0.8);
        QCOMPARE(s.topP(), 0.95);
        QCOMPARE(s.topK(), 40);
        QCOMPARE(s.minP(), 0.05);
        QCOMPARE(s.repetitionPenalty(), 1.0);
        QCOMPARE(s.contextSize(), 0);
        QCOMPARE(s.theme(), QStringLiteral("system"));
        QVERIFY(!s.systemPrompt().isEmpty());
        QVERIFY(s.gpuDevice().isEmpty());
        QVERIFY(s.lastModelPath().isEmpty());
    }

    void valuesAreClamped() {
        SettingsStore s(file("clamp.ini"));
        s.setTemperature(7.5);
        QCOMPARE(s.temperature(), 2.0);
        s.setTemperature(-1);
        QCOMPARE(s.temperature(), 0.0);
        s.setTemperature(std::numeric_limits<double>::quiet_NaN());
        QCOMPARE(s.temperature(), 0.8);
        s.setTopP(1.5);
        QCOMPARE(s.topP(), 1.0);
        s.setTopK(-3);
        QCOMPARE(s.topK(), 0);
        s.setTopK(1'000'000);
        QCOMPARE(s.topK(), SettingsStore::kMaxTopK);
        s.setMinP(-0.2);
        QCOMPARE(s.minP(), 0.0);
        s.setRepetitionPenalty(0.3);
        QCOMPARE(s.repetitionPenalty(), 1.0);
        s.setRepetitionPenalty(9);
        QCOMPARE(s.repetitionPenalty(), 2.0);
        s.setContextSize(10);
        QCOMPARE(s.contextSize(), SettingsStore::kMinContextSize);
        s.setContextSize(-5);
        QCOMPARE(s.contextSize(), 0);  // automatic
        s.setContextSize(1 << 30);
        QCOMPARE(s.contextSize(), SettingsStore::kMaxContextSize);
        s.setTheme(QStringLiteral(" Dark "));
        QCOMPARE(s.theme(), QStringLiteral("dark"));
        s.setTheme(QStringLiteral("purple"));
        QCOMPARE(s.theme(), QStringLiteral("system"));
    }

    void changesAreSignalledOnce() {
        SettingsStore s(file("signals.ini"));
        QSignalSpy temperature(&s, &SettingsStore::temperatureChanged);
        QSignalSpy theme(&s, &SettingsStore::themeChanged);
        s.setTemperature(0.3);
        s.setTemperature(0.3);
        QCOMPARE(temperature.count(), 1);
        s.setTemperature(5);
        s.setTemperature(9);  // clamps to the same 2.0
        QCOMPARE(temperature.count(), 2);
        s.setTheme(QStringLiteral("system"));  // already the default
        QCOMPARE(theme.count(), 0);
        s.setTheme(QStringLiteral("light"));
        QCOMPARE(theme.count(), 1);
    }

    void valuesPersist() {
        const QString path = file("persist.ini");
        {
            SettingsStore s(path);
            s.setSystemPrompt(QStringLiteral("Answer in French."));
            s.setTemperature(0.25);
            s.setTopP(0.5);
            s.setTopK(12);
            s.setMinP(0.1);
            s.setRepetitionPenalty(1.1);
            s.setContextSize(8192);
            s.setGpuDevice(QStringLiteral(" NVIDIA H200 "));
            s.setTheme(QStringLiteral("dark"));
            s.setLastModelPath(QStringLiteral("/m/a.gguf"));
            s.setLastMmprojPath(QStringLiteral("/m/mmproj-a.gguf"));
            QVERIFY(s.sync());
        }
        SettingsStore s(path);
        QCOMPARE(s.systemPrompt(), QStringLiteral("Answer in French."));
        QCOMPARE(s.temperature(), 0.25);
        QCOMPARE(s.topP(), 0.5);
        QCOMPARE(s.topK(), 12);
        QCOMPARE(s.minP(), 0.1);
        QCOMPARE(s.repetitionPenalty(), 1.1);
        QCOMPARE(s.contextSize(), 8192);
        QCOMPARE(s.gpuDevice(), QStringLiteral("NVIDIA H200"));
        QCOMPARE(s.theme(), QStringLiteral("dark"));
        QCOMPARE(s.lastModelPath(), QStringLiteral("/m/a.gguf"));
        QCOMPARE(s.lastMmprojPath(), QStringLiteral("/m/mmproj-a.gguf"));
        s.resetToDefaults();
        QCOMPARE(s.temperature(), 0.8);
        QCOMPARE(s.lastModelPath(), QStringLiteral("/m/a.gguf"));  // not a sampling setting
    }

    // Serving the loaded model is off by default and on this machine only; a hand-edited
    // port or host out of range falls back to those, and no key is ever in the file.
    void servingDefaultsToOffAndLoopback() {
        const QString path = file("serve.ini");
        {
            SettingsStore s(path);
            QVERIFY(!s.serveEnabled());
            QCOMPARE(s.serveHost(), QStringLiteral("127.0.0.1"));
            QCOMPARE(s.servePort(), 8080);
            QVERIFY(!s.serveKeyRequired());
            QSignalSpy changed(&s, &SettingsStore::serveChanged);
            s.setServeEnabled(true);
            s.setServeHost(QStringLiteral("  0.0.0.0 "));
            s.setServePort(9090);
            s.setServeKeyRequired(true);
            QCOMPARE(changed.count(), 4);
            s.setServePort(70000);  // out of range: the default
            QCOMPARE(s.servePort(), 8080);
            s.setServePort(9090);
            QVERIFY(s.sync());
        }
        SettingsStore again(path);
        QVERIFY(again.serveEnabled());
        QCOMPARE(again.serveHost(), QStringLiteral("0.0.0.0"));
        QCOMPARE(again.servePort(), 9090);
        QVERIFY(again.serveKeyRequired());

        QFile f(file("serve-edited.ini"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("[serve]\nenabled=true\nhost=\nport=-3\n");
        f.close();
        SettingsStore edited(f.fileName());
        QCOMPARE(edited.serveHost(), QStringLiteral("127.0.0.1"));
        QCOMPARE(edited.servePort(), 8080);
    }

    void handEditedFileIsSanitised() {
        const QString path = file("edited.ini");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(
            "[sampling]\ntemperature=banana\ntopK=99999\ntopP=-4\n[appearance]\ntheme=purple\n"
            "[engine]\ncontextSize=12\n");
        f.close();
        SettingsStore s(path);
        QCOMPARE(s.temperature(), 0.8);  // not a number: the default
        QCOMPARE(s.topK(), SettingsStore::kMaxTopK);
        QCOMPARE(s.topP(), 0.0);
        QCOMPARE(s.theme(), QStringLiteral("system"));
        QCOMPARE(s.contextSize(), SettingsStore::kMinContextSize);
    }
};

namespace prism::test {
int run_settings_store_tests(int argc, char** argv) {
    SettingsStoreTest t;
    return QTest::qExec(&t, argc, argv);
}
}  // namespace prism::test

#include "test_settings_store.moc"
