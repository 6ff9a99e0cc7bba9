#include "session_services.hpp"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusVariant>
#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>

namespace prism::ui::test {
namespace {

// Bounds for a hang, not timings: each step takes milliseconds when it works.
constexpr int kStartMs = 10000;
constexpr int kStopMs = 5000;
constexpr int kPollMs = 20;

const QString kSecretService = QStringLiteral("org.freedesktop.secrets");

void end_process(QProcess& process) {
    if (process.state() == QProcess::NotRunning) return;
    process.terminate();
    if (!process.waitForFinished(kStopMs)) {
        process.kill();
        process.waitForFinished(kStopMs);
    }
}

// A session bus configuration without <servicedir> or <standard_session_servicedirs/>: no
// service is started on demand.
QByteArray bus_configuration(const QString& runtime_dir) {
    return QStringLiteral(
               "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration "
               "1.0//EN\"\n"
               " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
               "<busconfig>\n"
               "  <type>session</type>\n"
               "  <listen>unix:dir=%1</listen>\n"
               "  <policy context=\"default\">\n"
               "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
               "    <allow eavesdrop=\"true\"/>\n"
               "    <allow own=\"*\"/>\n"
               "  </policy>\n"
               "</busconfig>\n")
        .arg(runtime_dir.toHtmlEscaped())
        .toUtf8();
}

// Whether the Secret Service on `bus` is ready for the test: with `unlocked_default`, its
// default collection exists and is unlocked; otherwise it answers at all. Empty when ready,
// else what is missing.
QString secret_service_not_ready(const QDBusConnection& bus, bool unlocked_default) {
    if (!bus.interface()->isServiceRegistered(kSecretService))
        return QStringLiteral("%1 is not on the bus").arg(kSecretService);
    if (!unlocked_default) return {};
    QDBusMessage alias = QDBusMessage::createMethodCall(
        kSecretService, QStringLiteral("/org/freedesktop/secrets"),
        QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("ReadAlias"));
    alias << QStringLiteral("default");
    const QDBusMessage path_reply = bus.call(alias, QDBus::Block, kStartMs);
    if (path_reply.type() != QDBusMessage::ReplyMessage) return path_reply.errorMessage();
    const QString path = path_reply.arguments().value(0).value<QDBusObjectPath>().path();
    if (path.isEmpty() || path == QLatin1String("/"))
        return QStringLiteral("the keyring has no default collection");
    QDBusMessage locked = QDBusMessage::createMethodCall(
        kSecretService, path, QStringLiteral("org.freedesktop.DBus.Properties"),
        QStringLiteral("Get"));
    locked << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    const QDBusMessage locked_reply = bus.call(locked, QDBus::Block, kStartMs);
    if (locked_reply.type() != QDBusMessage::ReplyMessage) return locked_reply.errorMessage();
    if (locked_reply.arguments().value(0).value<QDBusVariant>().variant().toBool())
        return QStringLiteral("the default collection %1 is locked").arg(path);
    return {};
}

}  // namespace

QString keyring_daemon_program() {
    return QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
}

PrivateSessionBus::~PrivateSessionBus() {
    stop();
}

QString PrivateSessionBus::start(const QString& runtime_dir) {
    const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
    if (daemon.isEmpty())
        return QStringLiteral("dbus-daemon is not installed (apt-get install dbus-daemon)");
    const QString config_path = runtime_dir + QStringLiteral("/session-bus.conf");
    QFile config(config_path);
    if (!config.open(QIODevice::WriteOnly) || config.write(bus_configuration(runtime_dir)) < 0)
        return QStringLiteral("cannot write %1").arg(config_path);
    config.close();
    process_.start(daemon, {QStringLiteral("--nofork"), QStringLiteral("--print-address=1"),
                            QStringLiteral("--config-file=") + config_path});
    if (!process_.waitForStarted(kStartMs)) return QStringLiteral("dbus-daemon did not start");
    while (!process_.canReadLine()) {
        if (!process_.waitForReadyRead(kStartMs))
            return QStringLiteral("dbus-daemon gave no address: ") +
                   QString::fromUtf8(process_.readAllStandardError()).simplified();
    }
    address_ = QString::fromUtf8(process_.readLine()).trimmed();
    if (!address_.startsWith(QLatin1String("unix:")))
        return QStringLiteral("dbus-daemon gave no address: ") + address_;
    return {};
}

void PrivateSessionBus::stop() {
    end_process(process_);
}

KeyringDaemon::~KeyringDaemon() {
    stop();
}

QString KeyringDaemon::start(const QProcessEnvironment& session, const QString& runtime_dir,
                             const QByteArray& password) {
    const QString program = keyring_daemon_program();
    if (program.isEmpty())
        return QStringLiteral(
            "gnome-keyring-daemon is not installed (apt-get install gnome-keyring)");
    QProcessEnvironment env = session;
    // The daemon keeps its control socket in the session's private runtime folder (0700).
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime_dir);
    process_.setProcessEnvironment(env);
    process_.setProcessChannelMode(QProcess::MergedChannels);
    QStringList arguments{
        QStringLiteral("--foreground"), QStringLiteral("--components=secrets"),
        QStringLiteral("--control-directory=") + runtime_dir + QStringLiteral("/keyring")};
    // --unlock reads the login keyring's password from stdin up to its end, as PAM gives it.
    if (!password.isEmpty()) arguments << QStringLiteral("--unlock");
    process_.start(program, arguments);
    if (!process_.waitForStarted(kStartMs))
        return QStringLiteral("gnome-keyring-daemon did not start");
    if (!password.isEmpty()) process_.write(password);
    process_.closeWriteChannel();

    const QString connection_name = QStringLiteral("keyring-check ") + runtime_dir;
    QString not_ready;
    {
        QDBusConnection bus = QDBusConnection::connectToBus(
            session.value(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")), connection_name);
        const QDeadlineTimer deadline(kStartMs);
        for (;;) {
            not_ready = bus.isConnected() ? secret_service_not_ready(bus, !password.isEmpty())
                                          : bus.lastError().message();
            if (not_ready.isEmpty() || deadline.hasExpired()) break;
            // Sleeps between tries, and notices a daemon that gave up.
            if (process_.waitForFinished(kPollMs)) break;
        }
    }
    QDBusConnection::disconnectFromBus(connection_name);
    if (not_ready.isEmpty()) return {};
    const QString printed = QString::fromUtf8(process_.readAll()).simplified();
    return QStringLiteral("gnome-keyring-daemon is not serving: %1 (%2; it printed: %3)")
        .arg(not_ready,
             process_.state() == QProcess::NotRunning
                 ? QStringLiteral("it exited with status %1").arg(process_.exitCode())
                 : QStringLiteral("still running"),
             printed);
}

void KeyringDaemon::stop() {
    end_process(process_);
}

}  // namespace prism::ui::test
