#pragma once

// API keys kept in the desktop's keyring (the Secret Service of GNOME Keyring or KWallet,
// through QtKeychain), never in prism.conf or the history. Where no keyring runs, nothing is
// stored anywhere: the write reports why and the key lives only as long as the app. Errors are
// one line naming the problem (no keyring, no default keyring, a locked one), asked of the
// Secret Service when QtKeychain's answer does not say it.
//
// Names: "server <base URL>" for a server the app connects to, "serve" for the key clients of
// the app's own served model must send.

#include <QObject>
#include <QString>

namespace prism::ui {

class SecretStore : public QObject {
    Q_OBJECT
  public:
    explicit SecretStore(QObject* parent = nullptr);

    // Asynchronous (a keyring may ask the user to unlock it): the answer is secretRead, with an
    // empty secret and no error when none is stored under the name, and an error when the
    // keyring is locked (the key may be in it).
    Q_INVOKABLE void read(const QString& name);
    // Stores `secret` under `name`; an empty secret forgets it (no error when none was kept; an
    // error when the keyring is locked, which leaves the key in it). The answer is
    // secretWritten.
    Q_INVOKABLE void write(const QString& name, const QString& secret);

    static QString server_name(const QString& base_url) {
        return QStringLiteral("server ") + base_url;
    }

  signals:
    void secretRead(const QString& name, const QString& secret, const QString& error);
    void secretWritten(const QString& name, const QString& error);
};

}  // namespace prism::ui
