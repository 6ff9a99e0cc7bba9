#pragma once

// What stands between the key store and the desktop's Secret Service (org.freedesktop.secrets:
// GNOME Keyring, KeePassXC, KWallet's), asked of the service itself. QtKeychain alone cannot
// tell: through libsecret, a read from a locked keyring whose unlock prompt cannot be shown (or
// was dismissed) comes back as "not found", and a keyring with no default collection as a
// D-Bus error about an object path.

#include <QObject>

#include <functional>

namespace prism::ui {

enum class SecretServiceProblem {
    none,                   // the service answers and its default collection is unlocked
    no_session_bus,         // no D-Bus session bus to reach a keyring through
    not_running,            // no Secret Service on the bus, none to start
    no_default_collection,  // a keyring runs but has no default keyring to keep keys in
    locked,                 // the default keyring is locked
    unknown,                // the service did not say (an error of its own, no answer)
};

// Asynchronous (a keyring may be slow to start; the UI never waits on the bus): `done` runs on
// `context`'s thread, unless `context` is destroyed first.
void check_secret_service(QObject* context, std::function<void(SecretServiceProblem)> done);

}  // namespace prism::ui
