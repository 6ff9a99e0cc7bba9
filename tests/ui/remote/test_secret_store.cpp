// SecretStore (QtKeychain) where no keyring runs: with no session bus at all, and on a real
// private session bus (dbus-daemon) that has no Secret Service or KWallet on it. Each case runs
// in a child process of this program with its own environment (a process has one session bus),
// whose HOME and XDG folders are empty: the store must answer, not hang, say why it could not
// keep the key, and leave nothing behind on disk (no plain-text fallback).
//
// A round trip through a real keyring is not tested: Debian's Secret Service providers
// (gnome-keyring, KWallet, KeePassXC) pull in a desktop's worth of packages.

#include <QCoreApplication>
#include <QDirIterator>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>

#include "remote/secret_store.hpp"

namespace prism::ui {
namespace {

const QString kName = SecretStore::server_name(QStringLiteral("http://127.0.0.1:9/v1"));
const QString kSecret = QStringLiteral("sk-test-0d1e2f");

// Child mode: write the secret, read it back, print what the store answered.
int write_then_read() {
    SecretStore store;
    QTextStream out(stdout);
    QObject::connect(&store, &SecretStore::secretWritten, [&](const QString&, const QString& e) {
        out << "written-error:" << e << "\n";
        store.read(kName);
    });
    QObject::connect(&store, &SecretStore::secretRead,
                     [&](const QString&, const QString& secret, const QString& e) {
                         out << "read-secret:" << secret << "\nread-error:" << e << "\n";
                         out.flush();
                         QCoreApplication::quit();
                     });
    QTimer::singleShot(0, [&] { store.write(kName, kSecret); });
    return QCoreApplication::exec();
}

struct ChildResult {
    bool finished = false;
    QMap<QString, QString> answers;
    QString output;
};

ChildResult run_child(const QProcessEnvironment& env) {
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--write-then-read")});
    ChildResult r;
    // A bound for a hang, not a timing: the store answers at once when nothing is there.
    r.finished = child.waitForFinished(60000) && child.exitStatus() == QProcess::NormalExit &&
                 child.exitCode() == 0;
    if (child.state() != QProcess::NotRunning) {
        child.kill();
        child.waitForFinished();
    }
    r.output = QString::fromUtf8(child.readAll());
    for (const QString& line : r.output.split(QLatin1Char('\n'))) {
        const auto colon = line.indexOf(QLatin1Char(':'));
        if (colon > 0) r.answers.insert(line.left(colon), line.mid(colon + 1));
    }
    return r;
}

// An environment whose home and XDG folders are the empty `home`, with no display to start a
// bus through and `bus` as the session bus address.
QProcessEnvironment child_environment(const QString& home, const QString& bus) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("HOME"), home);
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/.cache"));
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), bus);
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    return env;
}

QStringList files_under(const QString& folder) {
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) files << it.next();
    return files;
}

void expect_refused_and_nothing_kept(const ChildResult& r, const QString& home) {
    QVERIFY2(r.finished, qPrintable(QStringLiteral("the store did not answer: ") + r.output));
    QVERIFY2(!r.answers.value(QStringLiteral("written-error")).isEmpty(), qPrintable(r.output));
    QVERIFY2(r.answers.value(QStringLiteral("written-error")).contains(QStringLiteral("keyring")),
             qPrintable(r.output));
    QVERIFY2(r.answers.contains(QStringLiteral("read-secret")), qPrintable(r.output));
    QCOMPARE(r.answers.value(QStringLiteral("read-secret")), QString());
    QVERIFY2(!r.answers.value(QStringLiteral("read-error")).isEmpty(), qPrintable(r.output));
    const QStringList left = files_under(home);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(' '))));
}

class SecretStoreTest : public QObject {
    Q_OBJECT

  private slots:
    void noSessionBus() {
        QTemporaryDir home;
        const ChildResult r = run_child(child_environment(
            home.path(), QStringLiteral("unix:path=") + home.path() + QStringLiteral("/no-bus")));
        expect_refused_and_nothing_kept(r, home.path());
    }

    void sessionBusWithoutAKeyring() {
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty()) QSKIP("dbus-daemon is not installed (apt-get install dbus-daemon)");
        QTemporaryDir home, bus_dir;
        QProcess bus;
        bus.start(daemon, {QStringLiteral("--session"), QStringLiteral("--nofork"),
                           QStringLiteral("--print-address=1"),
                           QStringLiteral("--address=unix:dir=") + bus_dir.path()});
        QVERIFY(bus.waitForStarted(10000));
        while (!bus.canReadLine()) QVERIFY(bus.waitForReadyRead(10000));
        const QString address = QString::fromUtf8(bus.readLine()).trimmed();
        QVERIFY2(address.startsWith(QStringLiteral("unix:")), qPrintable(address));
        const ChildResult r = run_child(child_environment(home.path(), address));
        bus.terminate();
        bus.waitForFinished(10000);
        expect_refused_and_nothing_kept(r, home.path());
    }
};

}  // namespace
}  // namespace prism::ui

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (app.arguments().contains(QStringLiteral("--write-then-read")))
        return prism::ui::write_then_read();
    prism::ui::SecretStoreTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_secret_store.moc"
