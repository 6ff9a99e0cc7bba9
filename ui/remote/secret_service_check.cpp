#include "remote/secret_service_check.hpp"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusObjectPath>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDBusVariant>
#include <QTimer>

namespace prism::ui {
namespace {

const QString kService = QStringLiteral("org.freedesktop.secrets");
// A bound for a service that never answers; a running keyring answers in milliseconds, one
// that D-Bus starts on demand within a second or two.
constexpr int kCallTimeoutMs = 10000;

// Calls `message` and hands its reply to `on_reply` on `context`'s thread. Without starting
// the service: a question must not start a keyring that QtKeychain did not use (KWallet's
// desktops), and where it used the Secret Service its call has already started it.
void call(QObject* context, QDBusMessage message,
          std::function<void(const QDBusMessage&)> on_reply) {
    message.setAutoStartService(false);
    auto* watcher = new QDBusPendingCallWatcher(
        QDBusConnection::sessionBus().asyncCall(message, kCallTimeoutMs), context);
    QObject::connect(watcher, &QDBusPendingCallWatcher::finished, context,
                     [on_reply = std::move(on_reply)](QDBusPendingCallWatcher* finished) {
                         finished->deleteLater();
                         on_reply(finished->reply());
                     });
}

SecretServiceProblem problem_of(const QDBusMessage& error) {
    if (error.errorName() == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner"))
        return SecretServiceProblem::not_running;
    switch (QDBusError(error).type()) {
        case QDBusError::ServiceUnknown:
        case QDBusError::NoServer:
        case QDBusError::Disconnected:
            return SecretServiceProblem::not_running;
        // The default alias names a collection that does not exist (GNOME Keyring's "login"
        // before any login created it).
        case QDBusError::UnknownObject:
            return SecretServiceProblem::no_default_collection;
        default:
            return SecretServiceProblem::unknown;
    }
}

void check_default_collection(QObject* context, const QString& path,
                              std::function<void(SecretServiceProblem)> done) {
    QDBusMessage locked = QDBusMessage::createMethodCall(
        kService, path, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    locked << QStringLiteral("org.freedesktop.Secret.Collection") << QStringLiteral("Locked");
    call(context, locked, [done = std::move(done)](const QDBusMessage& reply) {
        if (reply.type() != QDBusMessage::ReplyMessage) {
            done(problem_of(reply));
            return;
        }
        done(reply.arguments().value(0).value<QDBusVariant>().variant().toBool()
                 ? SecretServiceProblem::locked
                 : SecretServiceProblem::none);
    });
}

}  // namespace

void check_secret_service(QObject* context, std::function<void(SecretServiceProblem)> done) {
    if (!QDBusConnection::sessionBus().isConnected()) {
        QTimer::singleShot(
            0, context, [done = std::move(done)] { done(SecretServiceProblem::no_session_bus); });
        return;
    }
    QDBusMessage alias = QDBusMessage::createMethodCall(
        kService, QStringLiteral("/org/freedesktop/secrets"),
        QStringLiteral("org.freedesktop.Secret.Service"), QStringLiteral("ReadAlias"));
    alias << QStringLiteral("default");
    call(context, alias, [context, done = std::move(done)](const QDBusMessage& reply) mutable {
        if (reply.type() != QDBusMessage::ReplyMessage) {
            done(problem_of(reply));
            return;
        }
        const QString path = reply.arguments().value(0).value<QDBusObjectPath>().path();
        // "/" is the Secret Service's way of saying that no collection has the alias.
        if (path.isEmpty() || path == QLatin1String("/")) {
            done(SecretServiceProblem::no_default_collection);
            return;
        }
        check_default_collection(context, path, std::move(done));
    });
}

}  // namespace prism::ui
