// SecretStore (QtKeychain) against real session services. Each case runs the store in child
// processes of this program with their own environment (a process has one session bus), whose
// HOME and XDG folders are empty:
// - where no keyring runs (no session bus at all; a private dbus-daemon with nothing on it):
//   the store answers at once, says why it could not keep the key, and leaves nothing on disk
//   (no plain-text fallback);
// - against GNOME Keyring's Secret Service (gnome-keyring-daemon with its login keyring
//   unlocked, as a PAM login leaves it) on a private bus: a key is kept, read back, replaced and
//   forgotten; keys of different servers stay apart; a later process reads them (the app
//   started again), and so does one after the keyring itself restarted (a new login); the only
//   files in HOME are the keyring's, and none holds a key in clear;
// - against a keyring that is locked or has no default keyring, where unlocking or creating one
//   needs a prompt that no desktop can show: one line saying so.
// A missing dbus-daemon or gnome-keyring-daemon fails the test rather than skipping it: CI
// installs both (scripts/install-deps.sh).

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>
#include <QTimer>

#include <memory>

#include "remote/secret_store.hpp"
#include "session_services.hpp"

namespace prism::ui {
namespace {

const QString kName = SecretStore::server_name(QStringLiteral("http://127.0.0.1:9/v1"));
const QString kSecret = QStringLiteral("sk-test-0d1e2f");
// Two servers whose names differ only in the port, and the served model's key.
const QString kServerA = SecretStore::server_name(QStringLiteral("http://127.0.0.1:8080/v1"));
const QString kServerB = SecretStore::server_name(QStringLiteral("http://127.0.0.1:8081/v1"));
const QString kServe = QStringLiteral("serve");
const QString kSecretA = QStringLiteral("sk-prism-a-5e0c9d2741b8");
const QString kSecretA2 = QStringLiteral("sk-prism-a-replaced-cl\u00e9-\U0001F511");
const QString kSecretB = QStringLiteral("sk-prism-b-0b7d64a2c3e9");
const QString kSecretServe = QStringLiteral("serve-key-6f2e81d0");
const QStringList kAllSecrets{kSecretA, kSecretA2, kSecretB, kSecretServe};
const QByteArray kLoginPassword = QByteArrayLiteral("login-password-for-tests");

// --- Child mode: `--steps write NAME SECRET | read NAME | forget NAME ...` runs the steps one
// after the other through one SecretStore, each when the one before has answered, and prints
// each answer as a JSON line: {"step", "name", "secret" (reads), "error"}.

class StepRunner : public QObject {
  public:
    explicit StepRunner(QStringList steps) : steps_(std::move(steps)) {
        connect(&store_, &SecretStore::secretWritten, this,
                [this](const QString& name, const QString& error) {
                    print({{QStringLiteral("step"), written_step_},
                           {QStringLiteral("name"), name},
                           {QStringLiteral("error"), error}});
                    next();
                });
        connect(&store_, &SecretStore::secretRead, this,
                [this](const QString& name, const QString& secret, const QString& error) {
                    print({{QStringLiteral("step"), QStringLiteral("read")},
                           {QStringLiteral("name"), name},
                           {QStringLiteral("secret"), secret},
                           {QStringLiteral("error"), error}});
                    next();
                });
    }

    // False when the steps are malformed.
    bool next() {
        if (steps_.isEmpty()) {
            QCoreApplication::exit(0);
            return true;
        }
        const QString step = steps_.takeFirst();
        if (step == QLatin1String("write") && steps_.size() >= 2) {
            written_step_ = step;
            const QString name = steps_.takeFirst();
            store_.write(name, steps_.takeFirst());
        } else if (step == QLatin1String("forget") && !steps_.isEmpty()) {
            // Forgetting is writing an empty key, as the settings do when a key is cleared.
            written_step_ = step;
            store_.write(steps_.takeFirst(), QString());
        } else if (step == QLatin1String("read") && !steps_.isEmpty()) {
            store_.read(steps_.takeFirst());
        } else {
            QCoreApplication::exit(2);
            return false;
        }
        return true;
    }

  private:
    static void print(const QJsonObject& answer) {
        QTextStream out(stdout);
        out << QJsonDocument(answer).toJson(QJsonDocument::Compact) << "\n";
        out.flush();
    }

    SecretStore store_;
    QStringList steps_;
    QString written_step_;
};

int run_steps(const QStringList& steps) {
    StepRunner runner(steps);
    QTimer::singleShot(0, &runner, [&runner] { runner.next(); });
    return QCoreApplication::exec();
}

// --- The parent's side.

struct StepsResult {
    bool finished = false;
    QList<QJsonObject> answers;
    QString output;
};

StepsResult run_child(const QProcessEnvironment& env, const QStringList& steps) {
    QProcess child;
    child.setProcessEnvironment(env);
    child.setProcessChannelMode(QProcess::MergedChannels);
    child.start(QCoreApplication::applicationFilePath(),
                QStringList{QStringLiteral("--steps")} + steps);
    StepsResult r;
    // A bound for a hang, not a timing: every answer comes in milliseconds.
    r.finished = child.waitForFinished(30000) && child.exitStatus() == QProcess::NormalExit &&
                 child.exitCode() == 0;
    if (child.state() != QProcess::NotRunning) {
        child.kill();
        child.waitForFinished();
    }
    r.output = QString::fromUtf8(child.readAll());
    for (const QString& line : r.output.split(QLatin1Char('\n'))) {
        if (!line.startsWith(QLatin1Char('{'))) continue;
        r.answers << QJsonDocument::fromJson(line.toUtf8()).object();
    }
    return r;
}

QString field(const StepsResult& r, qsizetype i, const char* key) {
    return r.answers.value(i).value(QLatin1String(key)).toString();
}

// An environment whose home and XDG folders are the empty `home`, with no display to start a
// bus through, no desktop for QtKeychain to choose a backend by, and `bus` as the session bus.
QProcessEnvironment child_environment(const QString& home, const QString& bus) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "XDG_CURRENT_DESKTOP",
                             "DESKTOP_SESSION", "GNOME_DESKTOP_SESSION_ID", "KDE_FULL_SESSION",
                             "KDE_SESSION_VERSION", "GNOME_KEYRING_CONTROL", "XDG_SESSION_ID"})
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
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) files << it.next();
    return files;
}

// A session with a bus and GNOME Keyring on it, in folders of its own.
struct KeyringSession {
    QTemporaryDir home;
    // XDG_RUNTIME_DIR: the bus's and the keyring's sockets (QTemporaryDir makes it 0700).
    QTemporaryDir runtime;
    test::PrivateSessionBus bus;
    test::KeyringDaemon keyring;

    QString start(const QByteArray& password) {
        if (!home.isValid() || !runtime.isValid()) return QStringLiteral("no temporary folder");
        const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                            QFileDevice::ExeGroup | QFileDevice::ReadOther |
                            QFileDevice::WriteOther | QFileDevice::ExeOther;
        if (QFile::permissions(runtime.path()) & others)
            return runtime.path() + QStringLiteral(" is open to others; XDG_RUNTIME_DIR is 0700");
        QString error = bus.start(runtime.path());
        if (error.isEmpty()) error = keyring.start(environment(), runtime.path(), password);
        return error;
    }
    // A new login: the keyring and the bus end and start again on the same home folder.
    QString restart(const QByteArray& password) {
        keyring.stop();
        bus.stop();
        return start(password);
    }
    QProcessEnvironment environment() const {
        QProcessEnvironment env = child_environment(home.path(), bus.address());
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
        return env;
    }
};

#define START_KEYRING(session, password)                          \
    do {                                                          \
        const QString start_error = (session).start(password);    \
        QVERIFY2(start_error.isEmpty(), qPrintable(start_error)); \
    } while (false)

void expect_refused_and_nothing_kept(const StepsResult& r, const QString& home,
                                     const QString& error) {
    QVERIFY2(r.finished, qPrintable(QStringLiteral("the store did not answer: ") + r.output));
    QCOMPARE(r.answers.size(), 2);
    QCOMPARE(field(r, 0, "error"), error);
    QCOMPARE(field(r, 1, "secret"), QString());
    QCOMPARE(field(r, 1, "error"), error);
    const QStringList left = files_under(home);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(' '))));
}

// Every file under `home` is the keyring's own, and none holds any of `secrets` in UTF-8 or
// UTF-16.
void expect_only_keyring_files(const QString& home, const QStringList& secrets) {
    const QString keyrings = home + QStringLiteral("/.local/share/keyrings/");
    for (const QString& path : files_under(home)) {
        QVERIFY2(path.startsWith(keyrings), qPrintable(path));
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray bytes = file.readAll();
        for (const QString& secret : secrets) {
            const QByteArray utf16(reinterpret_cast<const char*>(secret.utf16()),
                                   secret.size() * qsizetype(sizeof(char16_t)));
            QVERIFY2(!bytes.contains(secret.toUtf8()) && !bytes.contains(utf16),
                     qPrintable(path + QStringLiteral(" holds a key in clear")));
        }
    }
}

const QStringList kWriteThenRead{QStringLiteral("write"), kName, kSecret, QStringLiteral("read"),
                                 kName};

class SecretStoreTest : public QObject {
    Q_OBJECT

  private slots:
    void noSessionBus() {
        QTemporaryDir home;
        const StepsResult r =
            run_child(child_environment(home.path(), QStringLiteral("unix:path=") + home.path() +
                                                         QStringLiteral("/no-bus")),
                      kWriteThenRead);
        expect_refused_and_nothing_kept(
            r, home.path(),
            QStringLiteral("no keyring can be reached: there is no D-Bus session bus"));
    }

    void sessionBusWithoutAKeyring() {
        QTemporaryDir home, runtime;
        test::PrivateSessionBus bus;
        const QString error = bus.start(runtime.path());
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const StepsResult r =
            run_child(child_environment(home.path(), bus.address()), kWriteThenRead);
        expect_refused_and_nothing_kept(
            r, home.path(), QStringLiteral("no keyring is running (GNOME Keyring or KWallet)"));
    }

    void keyringKeepsReplacesAndForgetsAKey() {
        KeyringSession session;
        START_KEYRING(session, kLoginPassword);
        const StepsResult r =
            run_child(session.environment(),
                      {QStringLiteral("read"), kServerA,              // nothing stored yet
                       QStringLiteral("write"), kServerA, kSecretA,   //
                       QStringLiteral("read"), kServerA,              //
                       QStringLiteral("write"), kServerA, kSecretA2,  // replaced
                       QStringLiteral("read"), kServerA,              //
                       QStringLiteral("forget"), kServerA,            //
                       QStringLiteral("read"), kServerA,              // gone
                       QStringLiteral("forget"), kServerA});  // forgetting nothing is no error
        QVERIFY2(r.finished, qPrintable(r.output));
        QCOMPARE(r.answers.size(), 8);
        for (qsizetype i = 0; i < r.answers.size(); ++i) {
            QVERIFY2(field(r, i, "error").isEmpty(), qPrintable(r.output));
            QCOMPARE(field(r, i, "name"), kServerA);
        }
        const QStringList steps{QStringLiteral("read"), QStringLiteral("write"),
                                QStringLiteral("read"), QStringLiteral("write"),
                                QStringLiteral("read"), QStringLiteral("forget"),
                                QStringLiteral("read"), QStringLiteral("forget")};
        for (qsizetype i = 0; i < steps.size(); ++i) QCOMPARE(field(r, i, "step"), steps[i]);
        QCOMPARE(field(r, 0, "secret"), QString());
        QCOMPARE(field(r, 2, "secret"), kSecretA);
        QCOMPARE(field(r, 4, "secret"), kSecretA2);
        QCOMPARE(field(r, 6, "secret"), QString());
        session.keyring.stop();
        QVERIFY(QFile::exists(session.home.path() +
                              QStringLiteral("/.local/share/keyrings/login.keyring")));
        expect_only_keyring_files(session.home.path(), kAllSecrets);
    }

    void keyringKeepsKeysPerServerAcrossRestarts() {
        KeyringSession session;
        START_KEYRING(session, kLoginPassword);
        const StepsResult first =
            run_child(session.environment(),
                      {QStringLiteral("write"), kServerA, kSecretA, QStringLiteral("write"),
                       kServerB, kSecretB, QStringLiteral("write"), kServe, kSecretServe});
        QVERIFY2(first.finished, qPrintable(first.output));
        QCOMPARE(first.answers.size(), 3);
        for (qsizetype i = 0; i < first.answers.size(); ++i)
            QVERIFY2(field(first, i, "error").isEmpty(), qPrintable(first.output));

        // The app started again: another process, another store, the same keyring.
        const StepsResult second =
            run_child(session.environment(),
                      {QStringLiteral("read"), kServerA, QStringLiteral("read"), kServerB,
                       QStringLiteral("read"), kServe, QStringLiteral("forget"), kServerA,
                       QStringLiteral("read"), kServerB});
        QVERIFY2(second.finished, qPrintable(second.output));
        QCOMPARE(second.answers.size(), 5);
        for (qsizetype i = 0; i < second.answers.size(); ++i)
            QVERIFY2(field(second, i, "error").isEmpty(), qPrintable(second.output));
        QCOMPARE(field(second, 0, "secret"), kSecretA);
        QCOMPARE(field(second, 1, "secret"), kSecretB);
        QCOMPARE(field(second, 2, "secret"), kSecretServe);
        QCOMPARE(field(second, 4, "secret"), kSecretB);  // forgetting A left B alone

        // A new login: the keyring reads what it kept on disk.
        const QString restart_error = session.restart(kLoginPassword);
        QVERIFY2(restart_error.isEmpty(), qPrintable(restart_error));
        const StepsResult third = run_child(
            session.environment(), {QStringLiteral("read"), kServerA, QStringLiteral("read"),
                                    kServerB, QStringLiteral("read"), kServe});
        QVERIFY2(third.finished, qPrintable(third.output));
        QCOMPARE(third.answers.size(), 3);
        QCOMPARE(field(third, 0, "secret"), QString());
        QCOMPARE(field(third, 0, "error"), QString());
        QCOMPARE(field(third, 1, "secret"), kSecretB);
        QCOMPARE(field(third, 2, "secret"), kSecretServe);

        // On disk: the keyring's own files and nothing else, and no key in them in clear.
        session.keyring.stop();
        QVERIFY(QFile::exists(session.home.path() +
                              QStringLiteral("/.local/share/keyrings/login.keyring")));
        expect_only_keyring_files(session.home.path(), kAllSecrets);
    }

    // Unlocking needs a prompt, which no desktop shows here: the keyring stays locked, as when a
    // user dismisses the prompt.
    void lockedKeyringSaysSoAndKeepsItsKeys() {
        KeyringSession session;
        START_KEYRING(session, kLoginPassword);
        const StepsResult kept =
            run_child(session.environment(), {QStringLiteral("write"), kServerA, kSecretA});
        QVERIFY2(kept.finished && field(kept, 0, "error").isEmpty(), qPrintable(kept.output));

        // A login without the password: the login keyring is there, locked.
        const QString locked_error = session.restart(QByteArray());
        QVERIFY2(locked_error.isEmpty(), qPrintable(locked_error));
        const StepsResult locked = run_child(
            session.environment(), {QStringLiteral("read"), kServerA, QStringLiteral("write"),
                                    kServerB, kSecretB, QStringLiteral("forget"), kServerA});
        QVERIFY2(locked.finished, qPrintable(locked.output));
        QCOMPARE(locked.answers.size(), 3);
        QCOMPARE(field(locked, 0, "secret"), QString());
        for (qsizetype i = 0; i < locked.answers.size(); ++i)
            QCOMPARE(field(locked, i, "error"), QStringLiteral("the keyring is locked"));

        // Unlocked again: A is still there (the forget did nothing, and said so), B never was.
        const QString unlocked_error = session.restart(kLoginPassword);
        QVERIFY2(unlocked_error.isEmpty(), qPrintable(unlocked_error));
        const StepsResult unlocked =
            run_child(session.environment(),
                      {QStringLiteral("read"), kServerA, QStringLiteral("read"), kServerB});
        QVERIFY2(unlocked.finished, qPrintable(unlocked.output));
        QCOMPARE(unlocked.answers.size(), 2);
        QCOMPARE(field(unlocked, 0, "secret"), kSecretA);
        QCOMPARE(field(unlocked, 1, "secret"), QString());
        QCOMPARE(field(unlocked, 1, "error"), QString());
    }

    // A keyring that no login unlocked or created has no default keyring; creating one needs a
    // prompt.
    void keyringWithoutADefaultKeyringSaysSo() {
        KeyringSession session;
        START_KEYRING(session, QByteArray());
        const StepsResult r = run_child(
            session.environment(),
            {QStringLiteral("read"), kServerA, QStringLiteral("write"), kServerA, kSecretA});
        QVERIFY2(r.finished, qPrintable(r.output));
        QCOMPARE(r.answers.size(), 2);
        QCOMPARE(field(r, 0, "secret"), QString());
        QCOMPARE(field(r, 0, "error"), QString());
        QVERIFY2(
            field(r, 1, "error")
                .startsWith(QStringLiteral("the keyring has no default keyring to keep keys in")),
            qPrintable(r.output));
        session.keyring.stop();
        expect_only_keyring_files(session.home.path(), {kSecretA});
    }
};

}  // namespace
}  // namespace prism::ui

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    if (arguments.size() > 1 && arguments[1] == QLatin1String("--steps"))
        return prism::ui::run_steps(arguments.mid(2));
    prism::ui::SecretStoreTest test;
    return QTest::qExec(&test, argc, argv);
}

#include "test_secret_store.moc"
