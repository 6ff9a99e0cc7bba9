// `prism --screenshot` runs its demo chat in a throwaway profile: the user's history, settings
// and data folder are not touched. The real app binary runs with XDG_DATA_HOME and
// XDG_CONFIG_HOME pointing at empty folders, which must still be empty afterwards.

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "data/app_paths.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

QStringList files_under(const QString& folder) {
    QStringList found;
    QDirIterator it(folder, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) found.append(it.next());
    return found;
}

class ScreenshotProfileTest : public QObject {
    Q_OBJECT

  private slots:
    void theScreenshotLeavesTheUsersFoldersUntouched() {
        QVERIFY2(!demo_model_path().isEmpty(), "resources/models/stories260K.gguf not found");
        QTemporaryDir home;
        const QString data = home.filePath(QStringLiteral("data"));
        const QString config = home.filePath(QStringLiteral("config"));
        QVERIFY(QDir().mkpath(data) && QDir().mkpath(config));
        const QString shot = home.filePath(QStringLiteral("shot.png"));

        QProcess app;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_DATA_HOME"), data);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QT_QUICK_BACKEND"), QStringLiteral("software"));
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        app.start(QStringLiteral(PRISM_APP_PATH), {QStringLiteral("--screenshot"), shot});
        QVERIFY(app.waitForStarted());
        QVERIFY2(app.waitForFinished(180'000), "prism --screenshot did not finish");
        QCOMPARE(app.exitStatus(), QProcess::NormalExit);
        QCOMPARE(app.exitCode(), 0);
        QVERIFY(!QImage(shot).isNull());  // the demo chat did run
        QCOMPARE(files_under(data), QStringList());
        QCOMPARE(files_under(config), QStringList());
    }
};

const RegisterSuite<ScreenshotProfileTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_screenshot_profile.moc"
