#include "engine_controller.hpp"

#include <QFileInfo>

#include "engine_worker.hpp"
#include "model_description.hpp"

namespace prism::ui {

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
    thread_.start();
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

void EngineController::set_load_options(const QString& device, qint64 n_ctx) {
    device_ = device;
    n_ctx_ = n_ctx;
}

void EngineController::loadModel(const QString& pathOrUrl, const QString& mmprojPath) {
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

void EngineController::cancelLoad() {
    shared_->cancel_load = true;
}

void EngineController::stop() {
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
    QMetaObject::invokeMethod(
        worker_, [w = worker_, id, turns, settings] { w->generate(id, turns, settings); },
        Qt::QueuedConnection);
    return id;
}

void EngineController::set_status(Status s) {
    if (s == status_) return;
    status_ = s;
    emit statusChanged();
}

}  // namespace prism::ui
