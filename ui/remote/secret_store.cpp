#include "remote/secret_store.hpp"

#include <qt6keychain/keychain.h>

namespace prism::ui {
namespace {

// The keyring's service name: the entries show as "prism" in Seahorse or KWallet Manager.
const QString kService = QStringLiteral("prism");

QString job_error(const QKeychain::Job& job) {
    switch (job.error()) {
        case QKeychain::NoError:
        case QKeychain::EntryNotFound:
            return {};
        case QKeychain::NoBackendAvailable:
            return SecretStore::tr("no keyring is running (GNOME Keyring or KWallet)");
        case QKeychain::AccessDeniedByUser:
        case QKeychain::AccessDenied:
            return SecretStore::tr("the keyring refused access");
        default:
            // QtKeychain says "Unknown error" when no keyring answers on the session bus.
            return SecretStore::tr("no keyring answered (%1)")
                .arg(job.errorString().isEmpty() ? SecretStore::tr("no reason given")
                                                 : job.errorString());
    }
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
        emit secretRead(name, done->error() == QKeychain::NoError ? read->textData() : QString(),
                        job_error(*done));
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
    connect(job, &QKeychain::Job::finished, this,
            [this, name](QKeychain::Job* done) { emit secretWritten(name, job_error(*done)); });
    job->start();
}

}  // namespace prism::ui
