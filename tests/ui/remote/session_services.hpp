#pragma once

// The pieces of a desktop session that the key store talks to, started for one test in folders
// of its own: a session bus (dbus-daemon) and GNOME Keyring's Secret Service on it. Each owns
// its process and ends it when destroyed, so that a failed check leaves nothing running.

#include <QByteArray>
#include <QProcess>
#include <QProcessEnvironment>
#include <QString>

namespace prism::ui::test {

// A session bus on a socket in `runtime_dir`. It activates no services: a machine with
// gnome-keyring installed would otherwise start a keyring on it at the first call to the
// Secret Service, and a test would no longer choose what runs on its bus.
class PrivateSessionBus {
  public:
    PrivateSessionBus() = default;
    PrivateSessionBus(const PrivateSessionBus&) = delete;
    PrivateSessionBus& operator=(const PrivateSessionBus&) = delete;
    ~PrivateSessionBus();

    // Empty when the bus is up, otherwise why not (one line).
    QString start(const QString& runtime_dir);
    void stop();
    const QString& address() const { return address_; }

  private:
    QProcess process_;
    QString address_;
};

// gnome-keyring-daemon's Secret Service (--components=secrets) in the foreground, on the bus
// and with the home folder that `session` names, its login keyring unlocked (or created) with
// `password` as a PAM login would. No prompts: none can be shown without a desktop.
class KeyringDaemon {
  public:
    KeyringDaemon() = default;
    KeyringDaemon(const KeyringDaemon&) = delete;
    KeyringDaemon& operator=(const KeyringDaemon&) = delete;
    ~KeyringDaemon();

    // Empty once org.freedesktop.secrets answers on the bus with an unlocked default
    // collection (or, without a password, once the service answers at all); otherwise why not,
    // with what the daemon printed.
    QString start(const QProcessEnvironment& session, const QString& runtime_dir,
                  const QByteArray& password);
    void stop();

  private:
    QProcess process_;
};

// The daemon's program, or empty when gnome-keyring is not installed.
QString keyring_daemon_program();

}  // namespace prism::ui::test
