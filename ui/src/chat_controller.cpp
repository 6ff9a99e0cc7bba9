#include "chat_controller.hpp"

#include <QClipboard>
#include <QFileInfo>
#include <QGuiApplication>
#include <QMimeData>
#include <QtConcurrent/QtConcurrentRun>

#include "image_decoder.hpp"
#include "image_store.hpp"

namespace prism::ui {
namespace {

bool is_gguf(const QString& path) {
    return path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
}

bool is_mmproj(const QString& path) {
    return is_gguf(path) && QFileInfo(path).fileName().startsWith(QLatin1String("mmproj"),
                                                                 Qt::CaseInsensitive);
}

}  // namespace

ChatController::ChatController(EngineController* engine, ChatSettings* settings,
                               std::shared_ptr<ImageStore> images, QObject* parent)
    : QObject(parent), engine_(engine), settings_(settings), images_(std::move(images)) {
    connect(engine, &EngineController::modelChanged, this, &ChatController::visionChanged);
    connect(engine, &EngineController::piece, this, [this](quint64 id, const QString& text) {
        if (id == request_) messages_.append_piece(answer_row_, text);
    });
    connect(engine, &EngineController::generationFinished, this,
            [this](quint64 id, const AnswerStats& stats) {
                if (id != request_) return;
                messages_.finish(answer_row_, stats);
                set_request(0);
                emit answerFinished();
            });
    connect(engine, &EngineController::generationFailed, this,
            [this](quint64 id, const QString& error) {
                if (id != request_) return;
                messages_.fail(answer_row_, error);
                set_request(0);
                emit notify(error);
                emit answerFinished();
            });
    connect(&messages_, &MessageListModel::countChanged, this, &ChatController::lastUserRowChanged);
}

ChatController::~ChatController() = default;

bool ChatController::canAttachImages() const { return engine_ && engine_->hasVision(); }

QString ChatController::imagesUnavailableReason() const {
    if (canAttachImages()) return {};
    if (!engine_ || !engine_->modelLoaded())
        return tr("Load a model with a vision encoder (its mmproj file) to ask about images.");
    return tr("This model has no vision encoder; load an mmproj.");
}

int ChatController::lastUserRow() const {
    for (int row = messages_.count() - 1; row >= 0; --row) {
        if (messages_.turn(row).role == TurnRole::user) return row;
    }
    return -1;
}

bool ChatController::send(const QString& text) {
    if (generating() || !engine_) return false;
    if (text.trimmed().isEmpty() && attachments_.count() == 0) return false;
    if (!engine_->modelLoaded()) {
        emit notify(engine_->status() == EngineController::Status::loading
                        ? tr("The model is still loading.")
                        : tr("Load a model first (Ctrl+O)."));
        return false;
    }
    if (attachments_.count() > 0 && !canAttachImages()) {
        emit notify(imagesUnavailableReason());
        return false;
    }
    messages_.append_user(text.trimmed(), attachments_.take_all());
    start_answer();
    return true;
}

void ChatController::start_answer() {
    const QList<ChatTurn> turns = messages_.turns(messages_.count());
    answer_row_ = messages_.append_assistant();
    const GenerationSettings settings = settings_ ? settings_->generation() : GenerationSettings{};
    set_request(engine_->generate(turns, settings));
}

void ChatController::stop() {
    if (engine_ && generating()) engine_->stop();
}

bool ChatController::regenerate() {
    if (generating() || !engine_ || !engine_->modelLoaded() || messages_.count() == 0) return false;
    const int last = messages_.count() - 1;
    if (messages_.turn(last).role == TurnRole::assistant) messages_.truncate(last);
    if (lastUserRow() < 0) return false;
    start_answer();
    return true;
}

bool ChatController::resendLastUserMessage(const QString& text) {
    const int row = lastUserRow();
    if (generating() || row < 0 || !engine_ || !engine_->modelLoaded()) return false;
    if (text.trimmed().isEmpty()) return false;
    const QList<ImageAttachment> images = messages_.turn(row).images;
    messages_.truncate(row);
    messages_.append_user(text.trimmed(), images);
    start_answer();
    return true;
}

void ChatController::newChat() {
    stop();
    set_request(0);
    messages_.clear();
}

void ChatController::dropUrls(const QList<QUrl>& urls) {
    QList<QUrl> images;
    for (const QUrl& url : urls) {
        const QString path = url.toLocalFile();
        if (is_mmproj(path) && engine_ && engine_->modelLoaded()) {
            engine_->loadModel(engine_->modelPath(), path);
        } else if (is_gguf(path) && engine_) {
            engine_->loadModel(path);
        } else {
            images.append(url);
        }
    }
    attachFiles(images);
}

void ChatController::attachFiles(const QList<QUrl>& urls) {
    for (const QUrl& url : urls) {
        if (!url.isLocalFile()) {
            emit notify(tr("Only local files can be attached: %1").arg(url.toDisplayString()));
            continue;
        }
        decode_async(url.toLocalFile());
    }
}

void ChatController::decode_async(const QString& path) {
    ++pending_images_;
    emit pendingImagesChanged();
    QtConcurrent::run([path] { return decode_image_file(path); })
        .then(this, [this](const DecodedImage& decoded) {
            --pending_images_;
            emit pendingImagesChanged();
            attach_decoded(decoded);
        });
}

void ChatController::attachImage(const QImage& image) {
    ++pending_images_;
    emit pendingImagesChanged();
    QtConcurrent::run([image] { return encode_pasted_image(image); })
        .then(this, [this](const DecodedImage& decoded) {
            --pending_images_;
            emit pendingImagesChanged();
            attach_decoded(decoded);
        });
}

void ChatController::attach_decoded(const DecodedImage& decoded) {
    if (!decoded.error.isEmpty()) {
        emit notify(decoded.error);
        return;
    }
    ImageAttachment a = decoded.attachment;
    a.id = images_->next_id();
    images_->insert(a.id, decoded.thumbnail);
    attachments_.append(a);
}

bool ChatController::pasteImageFromClipboard() {
    const QMimeData* mime = QGuiApplication::clipboard()->mimeData();
    if (mime == nullptr) return false;
    if (mime->hasImage()) {
        attachImage(qvariant_cast<QImage>(mime->imageData()));
        return true;
    }
    if (mime->hasUrls()) {
        QList<QUrl> files;
        for (const QUrl& url : mime->urls()) {
            if (url.isLocalFile()) files.append(url);
        }
        if (!files.isEmpty()) {
            attachFiles(files);
            return true;
        }
    }
    return false;
}

void ChatController::copyText(const QString& text) { QGuiApplication::clipboard()->setText(text); }

void ChatController::add_history(const QString& user_text, const QList<QUrl>& image_files,
                                 const QString& answer) {
    // Synchronous decoding: this is for restoring before the window shows, not for user input.
    QList<ImageAttachment> images;
    for (const QUrl& url : image_files) {
        const DecodedImage d = decode_image_file(url.toLocalFile());
        if (!d.error.isEmpty()) {
            emit notify(d.error);
            continue;
        }
        ImageAttachment a = d.attachment;
        a.id = images_->next_id();
        images_->insert(a.id, d.thumbnail);
        images.append(a);
    }
    messages_.append_user(user_text, images);
    if (!answer.isEmpty()) messages_.append_assistant_text(answer);
}

void ChatController::set_request(quint64 id) {
    const bool was = generating();
    request_ = id;
    if (was != generating()) emit generatingChanged();
}

}  // namespace prism::ui
