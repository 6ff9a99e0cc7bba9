#include "chat_controller.hpp"

#include <QClipboard>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QGuiApplication>
#include <QMimeData>
#include <QtConcurrent/QtConcurrentRun>

#include "data/conversation_store.hpp"
#include "data/history_types.hpp"
#include "data/image_library.hpp"
#include "data/settings_store.hpp"
#include "image_decoder.hpp"
#include "image_store.hpp"
#include "media_decoder.hpp"

namespace prism::ui {
namespace {

bool is_gguf(const QString& path) {
    return path.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive);
}

bool is_mmproj(const QString& path) {
    return is_gguf(path) &&
           QFileInfo(path).fileName().startsWith(QLatin1String("mmproj"), Qt::CaseInsensitive);
}

}  // namespace

ChatController::ChatController(EngineController* engine, SettingsStore* settings,
                               ConversationStore* history, std::shared_ptr<ImageStore> images,
                               QObject* parent)
    : QObject(parent),
      engine_(engine),
      settings_(settings),
      history_(history),
      images_(std::move(images)) {
    connect(engine, &EngineController::modelChanged, this, &ChatController::visionChanged);
    connect(engine, &EngineController::modelChanged, this,
            &ChatController::attachmentsProblemChanged);
    connect(&attachments_, &AttachmentListModel::countChanged, this,
            &ChatController::attachmentsProblemChanged);
    connect(engine, &EngineController::piece, this, [this](quint64 id, const QString& text) {
        if (id != request_) return;
        messages_.append_piece(answer_row_, text);
        // The store writes at most every few hundred ms; killing the app loses little.
        if (history_ && answer_message_ >= 0)
            history_->updateAnswer(answer_message_, messages_.textAt(answer_row_));
    });
    connect(engine, &EngineController::generationFinished, this,
            [this](quint64 id, const AnswerTimings& stats) {
                if (id != request_) return;
                messages_.finish(answer_row_, stats);
                if (history_ && answer_message_ >= 0) {
                    AnswerStats stored;
                    stored.tokens_per_second = stats.tokens_per_second;
                    stored.time_to_first_token_ms = stats.time_to_first_token_ms;
                    stored.image_encode_ms = stats.image_encode_ms;
                    stored.stop_reason = stats.stop_reason;
                    history_->finishAnswer(answer_message_, messages_.textAt(answer_row_), stored);
                }
                set_request(0);
                emit answerFinished();
            });
    connect(engine, &EngineController::generationFailed, this,
            [this](quint64 id, const QString& error) {
                if (id != request_) return;
                messages_.fail(answer_row_, error);
                // A failed answer is not history: drop its row so a restart shows no half turn.
                if (history_ && answer_message_ >= 0) history_->deleteMessagesFrom(answer_message_);
                set_request(0);
                emit notify(error);
                emit answerFinished();
            });
    connect(engine, &EngineController::generationRefused, this,
            [this](quint64 id, const QString& reason) {
                if (id != request_) return;
                take_back_refused(reason);
                set_request(0);
                emit answerFinished();
            });
    connect(&messages_, &MessageListModel::countChanged, this, &ChatController::lastUserRowChanged);
    connect(&attachments_, &AttachmentListModel::storedCopyDropped, this,
            [this](const QString& relative_path) {
                if (history_) history_->discardImported(relative_path);
            });
}

void ChatController::take_back_refused(const QString& reason) {
    const int row = lastUserRow();
    if (row < 0) return;
    const ChatTurn refused = messages_.turn(row);
    delete_stored_from(row);
    messages_.truncate(row);
    answer_row_ = -1;
    answer_message_ = -1;
    // A new chat whose only message was refused leaves no empty conversation behind.
    if (messages_.count() == 0 && history_ && conversation_ >= 0) {
        history_->deleteConversation(conversation_);
        conversation_ = -1;
        emit conversationChanged();
    }
    // The stored message went, and with it the history's copies: they are made again.
    for (ImageAttachment image : refused.images) {
        image.stored.reset();
        image.importing = history_ && history_->isReady();
        attachments_.append(image);
        if (image.importing) import_async(image);
    }
    emit notify(reason);
    emit messageRefused(refused.text);
}

ChatController::~ChatController() = default;

bool ChatController::canAttachImages() const {
    return engine_ && engine_->hasVision();
}

QString ChatController::imagesUnavailableReason() const {
    if (canAttachImages()) return {};
    if (!engine_ || !engine_->modelLoaded())
        return tr("Load a model with a vision encoder (its mmproj file) to ask about images.");
    return tr("This model has no vision encoder; load an mmproj.");
}

QString ChatController::attachHint() const {
    const bool sees = canAttachImages();
    const bool hears = engine_ && engine_->hasAudio();
    if (sees && hears) return tr("Attach images, sounds or videos");
    if (sees) return tr("Attach images or videos (this model has no audio encoder for sounds)");
    if (hears) return tr("Attach sounds (this model has no vision encoder for images or videos)");
    if (!engine_ || !engine_->modelLoaded())
        return tr(
            "Load a model with a vision or audio encoder (its mmproj file) to attach "
            "images, sounds or videos.");
    return tr(
        "This model takes text only: it has no vision or audio encoder, so it can take "
        "neither images nor sounds; load an mmproj with one.");
}

bool ChatController::unheardAudio() const {
    return attachments_.contains(AttachmentKind::audio) && !(engine_ && engine_->hasAudio());
}

QString ChatController::attachmentsProblem() const {
    const bool pictures = attachments_.contains(AttachmentKind::image) ||
                          attachments_.contains(AttachmentKind::video);
    // A server's model is sent pictures and sounds until the server says it takes none.
    if (engine_ && engine_->remote() && ((pictures && !canAttachImages()) || unheardAudio())) {
        return tr("%1 on the server does not take %2 (the server said so); remove them.")
            .arg(engine_->modelName(),
                 pictures && !canAttachImages()
                     ? (unheardAudio() ? tr("pictures or sounds") : tr("pictures or videos"))
                     : tr("sounds"));
    }
    const bool unseen = pictures && !canAttachImages();
    const bool unheard = unheardAudio();
    const bool loaded = engine_ && engine_->modelLoaded();
    // One sentence for both, so the line stays one line.
    if (unseen && unheard) {
        return loaded ? tr("This model has no vision or audio encoder; load an mmproj with them.")
                      : tr("Load a model with vision and audio encoders (its mmproj file) to "
                           "ask about pictures and sounds.");
    }
    if (unseen) return imagesUnavailableReason();
    if (unheard) {
        return loaded
                   // The engine's own words (Session::add_message refuses a sound the same way).
                   ? tr("This model has no audio encoder; load an mmproj with one.")
                   : tr("Load a model with an audio encoder (its mmproj file) to ask about "
                        "sounds.");
    }
    return {};
}

QStringList ChatController::audioAttachmentPaths() const {
    QStringList paths;
    for (const ImageAttachment& a : attachments_.items())
        if (a.kind == AttachmentKind::audio) paths.append(a.path);
    return paths;
}

void ChatController::removeAttachmentFiles(const QStringList& paths) {
    for (int row = attachments_.count() - 1; row >= 0; --row) {
        if (paths.contains(attachments_.items().at(row).path)) attachments_.remove(row);
    }
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
    if (attachments_.importing()) {
        emit notify(tr("%1 is still being copied into the history; send it when that is done.")
                        .arg(attachments_.first_importing()));
        return false;
    }
    if (!engine_->modelLoaded()) {
        emit notify(engine_->status() == EngineController::Status::loading
                        ? tr("The model is still loading.")
                        : tr("Load a model first (Ctrl+O)."));
        return false;
    }
    if (const QString problem = attachmentsProblem(); !problem.isEmpty()) {
        emit notify(problem);
        return false;
    }
    const QList<ImageAttachment> images = attachments_.take_all();
    const int row = messages_.append_user(text.trimmed(), images);
    messages_.set_stored_id(row, store_user_turn(text.trimmed(), images));
    start_answer();
    return true;
}

void ChatController::start_answer() {
    const QList<ChatTurn> turns = messages_.turns(messages_.count());
    answer_row_ = messages_.append_assistant();
    answer_message_ = history_ && conversation_ >= 0 ? history_->beginAnswer(conversation_) : -1;
    messages_.set_stored_id(answer_row_, answer_message_);
    set_request(engine_->generate(turns, generation_settings()));
}

GenerationSettings ChatController::generation_settings() const {
    GenerationSettings g;
    g.max_tokens = max_tokens_;
    if (!settings_) return g;
    g.system_prompt = settings_->systemPrompt();
    g.temperature = static_cast<float>(settings_->temperature());
    g.top_p = static_cast<float>(settings_->topP());
    g.top_k = settings_->topK();
    g.min_p = static_cast<float>(settings_->minP());
    g.repeat_penalty = static_cast<float>(settings_->repetitionPenalty());
    return g;
}

qint64 ChatController::store_user_turn(const QString& text, const QList<ImageAttachment>& images) {
    if (!history_ || !history_->isReady()) return -1;
    if (conversation_ < 0) {
        conversation_ = history_->createConversation(engine_ ? engine_->modelPath() : QString());
        emit conversationChanged();
        if (conversation_ < 0) return -1;
    }
    std::vector<NewAttachment> files;
    for (const ImageAttachment& a : images)
        files.push_back({a.path, kind_name(a.kind), a.duration_seconds, a.size, a.stored});
    return history_->addMessageWithAttachments(conversation_, QStringLiteral("user"), text, files);
}

void ChatController::delete_stored_from(int row) {
    const qint64 id = messages_.stored_id(row);
    if (history_ && id >= 0) history_->deleteMessagesFrom(id);
}

void ChatController::stop() {
    if (engine_ && generating()) engine_->stop();
}

bool ChatController::regenerate() {
    if (generating() || !engine_ || !engine_->modelLoaded() || messages_.count() == 0) return false;
    const int last = messages_.count() - 1;
    if (messages_.turn(last).role == TurnRole::assistant) {
        delete_stored_from(last);
        messages_.truncate(last);
    }
    if (lastUserRow() < 0) return false;
    start_answer();
    return true;
}

bool ChatController::resendLastUserMessage(const QString& text) {
    const int row = lastUserRow();
    if (generating() || row < 0 || !engine_ || !engine_->modelLoaded()) return false;
    if (text.trimmed().isEmpty()) return false;
    const QList<ImageAttachment> images = messages_.turn(row).images;
    delete_stored_from(row);
    messages_.truncate(row);
    const int new_row = messages_.append_user(text.trimmed(), images);
    messages_.set_stored_id(new_row, store_user_turn(text.trimmed(), images));
    start_answer();
    return true;
}

void ChatController::newChat() {
    stop();
    set_request(0);
    if (history_) history_->flushPendingWrites();
    messages_.clear();
    if (conversation_ != -1) {
        conversation_ = -1;
        emit conversationChanged();
    }
}

bool ChatController::openConversation(qint64 id) {
    if (!history_ || id == conversation_) return id == conversation_;
    const auto summary = history_->conversation(id);
    if (!summary) return false;
    newChat();
    for (const StoredMessage& m : history_->listMessages(id)) {
        if (m.role == QLatin1String("assistant")) {
            QString stats;
            QString error;
            QString note;
            if (m.stats) {
                AnswerTimings t;
                t.tokens_per_second = m.stats->tokens_per_second;
                t.time_to_first_token_ms = m.stats->time_to_first_token_ms;
                t.image_encode_ms = m.stats->image_encode_ms;
                t.images_encoded = m.stats->image_encode_ms > 0 ? 1 : 0;
                t.tokens = -1;
                t.stop_reason = m.stats->stop_reason;
                t.transcript_ms = m.stats->time_to_transcript_ms.value_or(-1);
                t.first_sound_ms = m.stats->time_to_first_sound_ms.value_or(-1);
                stats = MessageListModel::format_stats(t);
                note = MessageListModel::format_note(t);
            } else {
                error = tr("This answer was cut off when Prism stopped.");
            }
            messages_.set_stored_id(messages_.append_assistant_text(m.text, stats, error, note),
                                    m.id);
        } else if (m.role == QLatin1String("user")) {
            QList<ImageAttachment> images;
            for (const StoredAttachment& a : m.attachments) {
                const AttachmentKind kind = a.kind == QLatin1String("audio") ? AttachmentKind::audio
                                            : a.kind == QLatin1String("video")
                                                ? AttachmentKind::video
                                                : AttachmentKind::image;
                images.append({{},
                               a.original_name,
                               a.image_path,
                               {},
                               QSize(a.width, a.height),
                               kind,
                               a.duration_seconds});
            }
            messages_.set_stored_id(messages_.append_user(m.text, images), m.id);
            decode_posters_async(images);
        }
    }
    conversation_ = id;
    emit conversationChanged();
    return true;
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
    QtConcurrent::run([path] {
        return decode_attachment_file(path);
    }).then(this, [this](const DecodedImage& decoded) {
        --pending_images_;
        emit pendingImagesChanged();
        attach_decoded(decoded);
    });
}

void ChatController::decode_posters_async(const QList<ImageAttachment>& attachments) {
    for (const ImageAttachment& a : attachments) {
        if (a.kind != AttachmentKind::video) continue;
        const QString path = a.path;
        QtConcurrent::run([path] {
            return decode_video_poster(path);
        }).then(this, [this, path](const QImage& poster) {
            if (poster.isNull()) return;  // the chip keeps its placeholder
            const QString id = images_->next_id();
            images_->insert(id, poster);
            messages_.set_poster(path, id);
        });
    }
}

void ChatController::attachImage(const QImage& image) {
    ++pending_images_;
    emit pendingImagesChanged();
    const QString save_as = paste_folder_.filePath(QStringLiteral("pasted-%1.png").arg(++pasted_));
    QtConcurrent::run([image, save_as] {
        return encode_pasted_image(image, save_as);
    }).then(this, [this](const DecodedImage& decoded) {
        --pending_images_;
        emit pendingImagesChanged();
        attach_decoded(decoded);
    });
}

std::optional<ImageAttachment> ChatController::register_decoded(const DecodedImage& decoded) {
    if (!decoded.error.isEmpty()) {
        emit notify(decoded.error);
        return std::nullopt;
    }
    ImageAttachment a = decoded.attachment;
    a.id = images_->next_id();
    if (!decoded.thumbnail.isNull()) images_->insert(a.id, decoded.thumbnail);
    return a;
}

void ChatController::attach_decoded(const DecodedImage& decoded) {
    const auto a = register_decoded(decoded);
    if (!a) return;
    if (!history_ || !history_->isReady()) {
        attachments_.append(*a);
        return;
    }
    ImageAttachment importing = *a;
    importing.importing = true;
    attachments_.append(importing);
    import_async(importing);
}

void ChatController::import_async(const ImageAttachment& a) {
    // Copying and hashing a video of up to 256 MiB takes seconds: a worker thread does it
    // while the chip says so, and Send waits for it.
    // A watcher owned by this controller: should the window close first, the copy still ends
    // on its thread and nothing is called back (then(this, ...) is not safe for that in Qt 6.4).
    auto* watcher = new QFutureWatcher<ImportedImage>(this);
    connect(watcher, &QFutureWatcher<ImportedImage>::finished, this, [this, watcher, id = a.id] {
        watcher->deleteLater();
        const ImportedImage stored = watcher->result();
        if (!stored.error.isEmpty()) {
            for (int row = 0; row < attachments_.count(); ++row)
                if (attachments_.items().at(row).id == id) attachments_.remove(row);
            emit notify(stored.error);
            return;
        }
        if (!attachments_.finish_import(id, stored) && stored.newly_stored && history_)
            history_->discardImported(stored.relative_path);
    });
    watcher->setFuture(QtConcurrent::run([folder = history_->dataFolder(), path = a.path] {
        return ImageLibrary(folder).import(path);
    }));
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

void ChatController::copyText(const QString& text) {
    QGuiApplication::clipboard()->setText(text);
}

void ChatController::add_user_turn(const QString& user_text, const QList<QUrl>& image_files) {
    // Synchronous decoding: this is for scripted set-ups before the window shows, not for
    // user input.
    QList<ImageAttachment> images;
    for (const QUrl& url : image_files) {
        if (const auto a = register_decoded(decode_attachment_file(url.toLocalFile())))
            images.append(*a);
    }
    const int row = messages_.append_user(user_text, images);
    messages_.set_stored_id(row, store_user_turn(user_text, images));
}

void ChatController::set_request(quint64 id) {
    const bool was = generating();
    request_ = id;
    if (was != generating()) emit generatingChanged();
}

}  // namespace prism::ui
