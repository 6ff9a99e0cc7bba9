#pragma once

// One chat: the message list, the composer's attachments, and the actions on them (send, stop,
// regenerate, edit-and-resend, attach, paste). Generation goes through the EngineController;
// images are decoded off the UI thread.

#include <QList>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QTemporaryDir>
#include <QUrl>
#include <memory>
#include <optional>

#include "attachment_list_model.hpp"
#include "engine_controller.hpp"
#include "message_list_model.hpp"

namespace prism::ui {

class ConversationStore;
class ImageStore;
class SettingsStore;
struct DecodedImage;

class ChatController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the chat controller.")

    Q_PROPERTY(prism::ui::MessageListModel* messages READ messages CONSTANT)
    Q_PROPERTY(prism::ui::AttachmentListModel* attachments READ attachments CONSTANT)
    Q_PROPERTY(bool generating READ generating NOTIFY generatingChanged)
    Q_PROPERTY(bool canAttachImages READ canAttachImages NOTIFY visionChanged)
    // Why images cannot be sent now (empty when they can).
    Q_PROPERTY(QString imagesUnavailableReason READ imagesUnavailableReason NOTIFY visionChanged)
    // What the attach button offers for the model at hand, or why it offers nothing.
    Q_PROPERTY(QString attachHint READ attachHint NOTIFY visionChanged)
    // Why the composer's attachments cannot be sent to this model (empty when they can): no
    // vision encoder for pictures and videos, no audio encoder for sounds.
    Q_PROPERTY(QString attachmentsProblem READ attachmentsProblem NOTIFY attachmentsProblemChanged)
    // The composer holds a sound the model cannot hear (the composer then offers to transcribe
    // it with the speech model instead).
    Q_PROPERTY(bool unheardAudio READ unheardAudio NOTIFY attachmentsProblemChanged)
    Q_PROPERTY(int pendingImages READ pendingImages NOTIFY pendingImagesChanged)
    Q_PROPERTY(int lastUserRow READ lastUserRow NOTIFY lastUserRowChanged)
    // The stored conversation shown (-1: a new chat not stored yet).
    Q_PROPERTY(qint64 conversationId READ conversationId NOTIFY conversationChanged)
    // Most tokens one answer may have.
    Q_PROPERTY(int maxTokens MEMBER max_tokens_ NOTIFY maxTokensChanged)

  public:
    // `history` may be null (nothing is stored).
    ChatController(EngineController* engine, SettingsStore* settings, ConversationStore* history,
                   std::shared_ptr<ImageStore> images, QObject* parent = nullptr);
    ~ChatController() override;

    MessageListModel* messages() { return &messages_; }
    AttachmentListModel* attachments() { return &attachments_; }
    bool generating() const { return request_ != 0; }
    bool canAttachImages() const;
    QString imagesUnavailableReason() const;
    QString attachmentsProblem() const;
    QString attachHint() const;
    bool unheardAudio() const;
    int pendingImages() const { return pending_images_; }
    int lastUserRow() const;
    qint64 conversationId() const { return conversation_; }

    // Sends the text with the composer's images; false (with a notification when useful) if
    // nothing was sent.
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();
    // Replaces the last answer with a new one.
    Q_INVOKABLE bool regenerate();
    // Replaces the last user message (and everything after it) and answers again.
    Q_INVOKABLE bool resendLastUserMessage(const QString& text);
    Q_INVOKABLE void newChat();
    // Shows a stored conversation (stops an answer in progress first).
    Q_INVOKABLE bool openConversation(qint64 id);

    // Files dropped on the window or the composer: GGUF files load, sound and video files (by
    // name) are attached as such, everything else as an image (and refused with a
    // notification, file name and problem, if it is not what its name says).
    Q_INVOKABLE void dropUrls(const QList<QUrl>& urls);
    Q_INVOKABLE void attachFiles(const QList<QUrl>& urls);
    Q_INVOKABLE void attachImage(const QImage& image);
    // Ctrl+V: takes an image (or image files) from the clipboard; false when it holds only
    // text, which the text field then pastes itself.
    Q_INVOKABLE bool pasteImageFromClipboard();
    Q_INVOKABLE void copyText(const QString& text);
    // The files of the composer's sounds (to be transcribed), and taking files out of the
    // composer (once they became text).
    Q_INVOKABLE QStringList audioAttachmentPaths() const;
    Q_INVOKABLE void removeAttachmentFiles(const QStringList& paths);

    // A user turn with attached files (images, sounds, videos), without an answer yet (the
    // screenshot mode; regenerate() then answers it).
    void add_user_turn(const QString& user_text, const QList<QUrl>& image_files);

  signals:
    void generatingChanged();
    void visionChanged();
    void pendingImagesChanged();
    void attachmentsProblemChanged();
    void lastUserRowChanged();
    void conversationChanged();
    void maxTokensChanged();
    // A short message for the toast (errors in plain words).
    void notify(const QString& message);
    void answerFinished();
    // A message that does not fit in the context was taken back (with notify saying why); its
    // text goes back to the composer (its images are attached again).
    void messageRefused(const QString& text);

  private:
    void start_answer();
    // Takes back the last user message and its answer (see messageRefused).
    void take_back_refused(const QString& reason);
    // Gives a decoded image its thumbnail id, or shows its error and gives nothing.
    std::optional<ImageAttachment> register_decoded(const DecodedImage& decoded);
    void attach_decoded(const DecodedImage& decoded);
    // Copies an attachment into the history's store on a worker thread (see ImageAttachment).
    void import_async(const ImageAttachment& a);
    void set_request(quint64 id);
    void decode_async(const QString& path);
    // Restored history videos get their posters off the UI thread.
    void decode_posters_async(const QList<ImageAttachment>& attachments);
    GenerationSettings generation_settings() const;
    // History: stores a user turn / starts an answer row; no-ops without a store.
    qint64 store_user_turn(const QString& text, const QList<ImageAttachment>& images);
    void delete_stored_from(int row);

    QPointer<EngineController> engine_;
    QPointer<SettingsStore> settings_;
    QPointer<ConversationStore> history_;
    std::shared_ptr<ImageStore> images_;
    QTemporaryDir paste_folder_;  // pasted images as PNG files, until the history copies them
    int pasted_ = 0;
    MessageListModel messages_;
    AttachmentListModel attachments_;
    quint64 request_ = 0;
    int answer_row_ = -1;
    int pending_images_ = 0;
    int max_tokens_ = 1024;
    qint64 conversation_ = -1;
    qint64 answer_message_ = -1;  // the stored row of the answer streaming now
};

}  // namespace prism::ui
