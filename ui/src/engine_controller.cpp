#include "engine_controller.hpp"

#include <QFile>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include "engine_worker.hpp"
#include "model_description.hpp"
#include "remote_media.hpp"

namespace prism::ui {
namespace {

// A server's usage report in the terms the local engine's answers carry.
AnswerTimings remote_answer_timings(const RemoteUsage& usage) {
    AnswerTimings t;
    t.tokens = usage.completion_tokens;
    t.time_to_first_token_ms = usage.time_to_first_token_ms;
    const double generating = usage.seconds - usage.time_to_first_token_ms / 1000.0;
    if (generating > 0 && usage.completion_tokens > 1)
        t.tokens_per_second = static_cast<double>(usage.completion_tokens - 1) / generating;
    t.stop_reason = usage.finish_reason == QLatin1String("length") ? QStringLiteral("max tokens")
                    : usage.finish_reason == QLatin1String("stopped")
                        ? QStringLiteral("cancelled")
                        : QStringLiteral("end of generation");
    return t;
}

}  // namespace

EngineController::EngineController(QObject* parent)
    : QObject(parent), shared_(std::make_shared<EngineShared>()) {
    qRegisterMetaType<ChatTurn>();
    qRegisterMetaType<GenerationSettings>();
    qRegisterMetaType<AnswerTimings>();
    qRegisterMetaType<ModelDescription>();

    thread_.setObjectName(QStringLiteral("prism-engine"));
    // The worker has no parent so it can move threads; the thread deletes it when it ends.
    auto worker = std::make_unique<EngineWorker>(shared_);
    worker->moveToThread(&thread_);
    worker_ = worker.release();
    connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);

    connect(worker_, &EngineWorker::loadProgress, this, [this](double f) {
        load_progress_ = f;
        emit loadProgressChanged();
    });
    connect(worker_, &EngineWorker::modelLoaded, this, [this](const ModelDescription& m) {
        model_ = m;
        loading_path_.clear();
        emit modelChanged();
        set_status(Status::ready);
    });
    connect(worker_, &EngineWorker::loadFailed, this, [this](const QString& error, bool cancelled) {
        loading_path_.clear();
        set_status(Status::empty);
        if (cancelled) {
            emit loadCancelled();
        } else {
            emit loadFailed(error);
        }
    });
    connect(worker_, &EngineWorker::piece, this, &EngineController::piece);
    connect(worker_, &EngineWorker::generationFinished, this,
            [this](quint64 id, const AnswerTimings& stats) {
                if (id == running_request_ && status_ == Status::generating)
                    set_status(Status::ready);
                emit generationFinished(id, stats);
            });
    connect(worker_, &EngineWorker::generationFailed, this, [this](quint64 id, const QString& e) {
        if (id == running_request_ && status_ == Status::generating) set_status(Status::ready);
        emit generationFailed(id, e);
    });
    connect(worker_, &EngineWorker::generationRefused, this, [this](quint64 id, const QString& r) {
        if (id == running_request_ && status_ == Status::generating) set_status(Status::ready);
        emit generationRefused(id, r);
    });
    connect(worker_, &EngineWorker::devicesListed, this, [this](const QStringList& d) {
        devices_ = d;
        emit devicesChanged();
    });
    connect(worker_, &EngineWorker::servingChanged, this,
            [this](const QString& url, const QString& error) {
                serving_url_ = url;
                serving_error_ = error;
                emit servingChanged();
            });
    thread_.start();

    connect(&remote_, &RemoteChatClient::modelsListed, this, [this](const QStringList& ids) {
        // The key worked: remembered for this server (never in the settings file).
        if (secrets_ != nullptr && !key_to_remember_.isEmpty())
            secrets_->write(SecretStore::server_name(server_url_), key_to_remember_);
        key_to_remember_.clear();
        server_models_ = ids;
        emit serverModelsChanged();
        useServerModel(ids.contains(wanted_server_model_) ? wanted_server_model_ : ids.first());
    });
    connect(&remote_, &RemoteChatClient::listFailed, this, [this](const QString& error) {
        loading_path_.clear();
        set_status(Status::empty);
        emit loadFailed(error);
    });
    connect(&remote_, &RemoteChatClient::piece, this, &EngineController::piece);
    connect(&remote_, &RemoteChatClient::finished, this,
            [this](quint64 id, const RemoteUsage& usage) {
                if (id == running_request_ && status_ == Status::generating)
                    set_status(Status::ready);
                AnswerTimings stats = remote_answer_timings(usage);
                stats.pictures_left_out = remote_left_out_.pictures;
                stats.sounds_not_sent_to_server = remote_left_out_.sounds;
                emit generationFinished(id, stats);
            });
    // The model list does not say what a model takes: sound and pictures are sent until the
    // server says its model does not take them; from then on the composer refuses them for it
    // and earlier ones are left out.
    connect(&remote_, &RemoteChatClient::audioRefused, this, [this](quint64) {
        if (!remote_model_ || !model_.has_audio) return;
        model_.has_audio = false;
        emit modelChanged();
    });
    connect(&remote_, &RemoteChatClient::imagesRefused, this, [this](quint64) {
        if (!remote_model_ || !model_.has_vision) return;
        model_.has_vision = false;
        emit modelChanged();
    });
    connect(&remote_, &RemoteChatClient::failed, this, [this](quint64 id, const QString& e) {
        if (id == running_request_ && status_ == Status::generating) set_status(Status::ready);
        emit generationFailed(id, e);
    });
}

EngineController::~EngineController() {
    // Make a load or an answer in progress end quickly, then join the engine thread: the
    // session must be destroyed on the thread that used it, before the Vulkan loader goes away.
    shared_->cancel_load = true;
    shared_->stop_up_to = last_request_;
    shared_->cancel_generation();
    QMetaObject::invokeMethod(
        worker_, [w = worker_] { w->unload(); }, Qt::QueuedConnection);
    thread_.quit();
    thread_.wait();
}

QString EngineController::fileSize() const {
    return model_.path.isEmpty() ? QString() : format_bytes(model_.file_bytes);
}

void EngineController::serveModel(bool enabled, const QString& host, int port,
                                  const QString& apiKey) {
    const ServeSettings settings{enabled, host.trimmed(), port, apiKey};
    QMetaObject::invokeMethod(
        worker_, [w = worker_, settings] { w->serve(settings); }, Qt::QueuedConnection);
}

void EngineController::set_load_options(const QString& device, qint64 n_ctx) {
    device_ = device;
    n_ctx_ = n_ctx;
}

void EngineController::loadModel(const QString& pathOrUrl, const QString& mmprojPath) {
    remote_.stop();
    remote_model_ = false;
    const QUrl url(pathOrUrl);
    const QString path = url.isLocalFile() ? url.toLocalFile() : pathOrUrl;
    const QUrl mm(mmprojPath);
    if (status_ == Status::loading) return;  // one load at a time; cancel it first
    LoadRequest request{path, mm.isLocalFile() ? mm.toLocalFile() : mmprojPath, device_, n_ctx_};
    // An answer in progress ends before the model goes away.
    stop();
    model_ = {};
    emit modelChanged();
    loading_path_ = path;
    load_progress_ = 0;
    emit loadProgressChanged();
    set_status(Status::loading);
    shared_->cancel_load = false;
    QMetaObject::invokeMethod(
        worker_, [w = worker_, request] { w->load_model(request); }, Qt::QueuedConnection);
}

void EngineController::connectServer(const QString& url, const QString& apiKey,
                                     const QString& model) {
    const QUrl base = api_base_url(url);
    if (!base.isValid()) {
        emit loadFailed(tr("'%1' is not a server address (http://host:port)").arg(url));
        return;
    }
    if (status_ == Status::loading) return;
    stop();
    // The local model goes: one model answers at a time.
    QMetaObject::invokeMethod(
        worker_, [w = worker_] { w->unload(); }, Qt::QueuedConnection);
    model_ = {};
    remote_model_ = false;
    server_models_.clear();
    server_url_ = base.toString();
    wanted_server_model_ = model;
    emit serverModelsChanged();
    emit modelChanged();
    loading_path_ = server_url_;
    set_status(Status::loading);
    key_to_remember_ = apiKey;
    if (!apiKey.isEmpty() || secrets_ == nullptr) {
        connect_with_key(apiKey);
        return;
    }
    const QString name = SecretStore::server_name(server_url_);
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = connect(secrets_, &SecretStore::secretRead, this,
                    [this, name, once](const QString& read, const QString& key, const QString&) {
                        if (read != name) return;
                        disconnect(*once);
                        // A keyring that fails is a server without a key: its 401 says so.
                        if (SecretStore::server_name(server_url_) == name) connect_with_key(key);
                    });
    secrets_->read(name);
}

void EngineController::connect_with_key(const QString& key) {
    remote_.set_endpoint(QUrl(server_url_), key);
    remote_.list_models();
}

void EngineController::set_secrets(SecretStore* secrets) {
    secrets_ = secrets;
}

void EngineController::useServerModel(const QString& id) {
    if (!server_models_.contains(id)) return;
    remote_.stop();
    model_ = {};
    model_.path = server_url_ + QLatin1Char('#') + id;
    model_.name = id;
    model_.architecture = tr("server");
    model_.device_name = remote_.base().host();
    // The model list does not say what a model takes; images and sounds are sent, and a server
    // whose model has no vision or hearing says so in its answer.
    model_.has_vision = true;
    model_.has_audio = true;
    remote_model_ = true;
    loading_path_.clear();
    emit modelChanged();
    set_status(Status::ready);
}

void EngineController::cancelLoad() {
    shared_->cancel_load = true;
}

void EngineController::stop() {
    if (preparing_request_ != 0) {
        const quint64 id = preparing_request_;
        preparing_request_ = 0;
        if (id == running_request_ && status_ == Status::generating) set_status(Status::ready);
        AnswerTimings stats;
        stats.stop_reason = QStringLiteral("cancelled");
        emit generationFinished(id, stats);
    }
    remote_.stop();
    shared_->stop_up_to = last_request_;
    shared_->cancel_generation();
}

void EngineController::refreshDevices() {
    QMetaObject::invokeMethod(
        worker_, [w = worker_] { w->list_devices(); }, Qt::QueuedConnection);
}

quint64 EngineController::generate(const QList<ChatTurn>& turns,
                                   const GenerationSettings& settings) {
    const quint64 id = ++last_request_;
    running_request_ = id;
    set_status(Status::generating);
    if (remote_model_) {
        generate_remote(id, turns, settings);
        return id;
    }
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, turns, settings] { w->generate(id, turns, settings); },
        Qt::QueuedConnection);
    return id;
}

void EngineController::generate_remote(quint64 id, const QList<ChatTurn>& turns,
                                       const GenerationSettings& settings) {
    // Files are read and videos decoded off the UI thread; a Stop meanwhile ends the answer
    // at once and the prepared request is dropped.
    preparing_request_ = id;
    const RemoteMediaAccepted accepted{model_.has_vision, model_.has_audio};
    // Owned by this controller, so that nothing is called back once it is gone.
    auto* watcher = new QFutureWatcher<RemoteConversation>(this);
    connect(watcher, &QFutureWatcher<RemoteConversation>::finished, this,
            [this, watcher, id, settings] {
                watcher->deleteLater();
                if (preparing_request_ != id) return;
                preparing_request_ = 0;
                const RemoteConversation conversation = watcher->result();
                if (!conversation.error.isEmpty()) {
                    if (id == running_request_ && status_ == Status::generating)
                        set_status(Status::ready);
                    emit generationFailed(id, conversation.error);
                    return;
                }
                remote_left_out_ = conversation.left_out;
                RemoteSampling sampling;
                sampling.temperature = settings.temperature;
                sampling.top_p = settings.top_p;
                sampling.max_tokens = settings.max_tokens;
                remote_.generate(id, model_.name, conversation.messages, sampling);
            });
    watcher->setFuture(QtConcurrent::run([turns, system = settings.system_prompt, accepted] {
        return remote_conversation(turns, system, accepted);
    }));
}

void EngineController::set_status(Status s) {
    if (s == status_) return;
    status_ = s;
    emit statusChanged();
}

}  // namespace prism::ui
