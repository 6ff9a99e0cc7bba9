#include "remote/secret_store.hpp"

#include <qt6keychain/keychain.h>

#include <functional>

#include "remote/secret_service_check.hpp"

namespace prism::ui {
namespace {

// The keyring's service name: the entries show as "prism" in Seahorse or KWallet Manager.
const QString kService = QStringLiteral("prism");

// One line naming what the Secret Service says is wrong, or empty when it finds nothing wrong.
QString describe(SecretServiceProblem problem) {
    switch (problem) {
        case SecretServiceProblem::no_session_bus:
            return SecretStore::tr("no keyring can be reached: there is no D-Bus session bus");
        case SecretServiceProblem::not_running:
            return SecretStore::tr("no keyring is running (GNOME Keyring or KWallet)");
        case SecretServiceProblem::no_default_collection:
            return SecretStore::tr(
                "the keyring has no default keyring to keep keys in (create one in Passwords "
                "and Keys)");
        case SecretServiceProblem::locked:
            return SecretStore::tr("the keyring is locked");
        case SecretServiceProblem::none:
        case SecretServiceProblem::unknown:
            break;
    }
    return {};
}

// Why a job failed, when QtKeychain's own code says it and the Secret Service said nothing.
QString job_error(QKeychain::Error code, const QString& reason) {
    switch (code) {
        case QKeychain::NoBackendAvailable:
            return describe(SecretServiceProblem::not_running);
        case QKeychain::AccessDeniedByUser:
        case QKeychain::AccessDenied:
            return SecretStore::tr("the keyring refused access");
        default:
            // QtKeychain's reasons come from libsecret, D-Bus or KWallet, in their words.
            return SecretStore::tr("the keyring failed (%1)")
                .arg(reason.isEmpty() ? SecretStore::tr("no reason given") : reason.simplified());
    }
}

// Names why a job failed, asking the Secret Service when QtKeychain's code does not say.
void explain_failure(QObject* context, const QKeychain::Job& job,
                     std::function<void(const QString&)> done) {
    check_secret_service(context, [code = job.error(), reason = job.errorString(),
                                   done = std::move(done)](SecretServiceProblem problem) {
        const QString named = describe(problem);
        done(named.isEmpty() ? job_error(code, reason) : named);
    });
}

// A read that found nothing and a forget that removed nothing are also what a locked keyring
// answers when it cannot ask to be unlocked (libsecret sees its unlocked items only): the error
// is empty unless the keyring is locked.
void unless_locked(QObject* context, std::function<void(const QString&)> done) {
    check_secret_service(context, [done = std::move(done)](SecretServiceProblem problem) {
        done(problem == SecretServiceProblem::locked ? describe(problem) : QString());
    });
}

}  // namespace

SecretStore::SecretStore(QObject* parent) : QObject(parent) {}

void SecretStore::read(const QString& name) {
    auto* job = new QKeychain::ReadPasswordJob(kService, this);
    job->setKey(name);
    // Never the plain-text QSettings fallback QtKeychain offers: a key is kept safe or not kept.
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, name](QKeychain::Job* done) {
        const auto* read = static_cast<QKeychain::ReadPasswordJob*>(done);
        if (done->error() == QKeychain::NoError) {
            emit secretRead(name, read->textData(), QString());
            return;
        }
        const auto answer = [this, name](const QString& error) {
            emit secretRead(name, QString(), error);
        };
        if (done->error() == QKeychain::EntryNotFound)
            unless_locked(this, answer);
        else
            explain_failure(this, *done, answer);
    });
    job->start();
}

void SecretStore::write(const QString& name, const QString& secret) {
    QKeychain::Job* job = nullptr;
    if (secret.isEmpty()) {
        job = new QKeychain::DeletePasswordJob(kService, this);
    } else {
        auto* w = new QKeychain::WritePasswordJob(kService, this);
        w->setTextData(secret);
        job = w;
    }
    job->setKey(name);
    job->setInsecureFallback(false);
    const bool forgetting = secret.isEmpty();
    connect(job, &QKeychain::Job::finished, this, [this, name, forgetting](QKeychain::Job* done) {
        const auto answer = [this, name](const QString& error) { emit secretWritten(name, error); };
        // Forgetting a key that was never kept is no failure.
        const bool kept = done->error() == QKeychain::NoError ||
                          (forgetting && done->error() == QKeychain::EntryNotFound);
        if (!kept)
            explain_failure(this, *done, answer);
        else if (forgetting)
            unless_locked(this, answer);
        else
            answer(QString());
    });
    job->start();
}

}  // namespace prism::ui
