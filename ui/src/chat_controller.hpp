#pragma once

// One chat: the message list, the composer's attachments, and the actions on them (send, stop,
// regenerate, edit-and-resend, attach, paste). Generation goes through the EngineController;
// images are decoded off the UI thread.

#include <QList>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QUrl>
#include <memory>

#include "attachment_list_model.hpp"
#include "chat_settings.hpp"
#include "engine_controller.hpp"
#include "message_list_model.hpp"

namespace prism::ui {

class ImageStore;
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
    Q_PROPERTY(int pendingImages READ pendingImages NOTIFY pendingImagesChanged)
    Q_PROPERTY(int lastUserRow READ lastUserRow NOTIFY lastUserRowChanged)

  public:
    ChatController(EngineController* engine, ChatSettings* settings,
                   std::shared_ptr<ImageStore> images, QObject* parent = nullptr);
    ~ChatController() override;

    MessageListModel* messages() { return &messages_; }
    AttachmentListModel* attachments() { return &attachments_; }
    bool generating() const { return request_ != 0; }
    bool canAttachImages() const;
    QString imagesUnavailableReason() const;
    int pendingImages() const { return pending_images_; }
    int lastUserRow() const;

    // Sends the text with the composer's images; false (with a notification when useful) if
    // nothing was sent.
    Q_INVOKABLE bool send(const QString& text);
    Q_INVOKABLE void stop();
    // Replaces the last answer with a new one.
    Q_INVOKABLE bool regenerate();
    // Replaces the last user message (and everything after it) and answers again.
    Q_INVOKABLE bool resendLastUserMessage(const QString& text);
    Q_INVOKABLE void newChat();

    // Files dropped on the window or the composer: GGUF files load, everything else is
    // attached as an image (and refused with a notification if it is not one).
    Q_INVOKABLE void dropUrls(const QList<QUrl>& urls);
    Q_INVOKABLE void attachFiles(const QList<QUrl>& urls);
    Q_INVOKABLE void attachImage(const QImage& image);
    // Ctrl+V: takes an image (or image files) from the clipboard; false when it holds only
    // text, which the text field then pastes itself.
    Q_INVOKABLE bool pasteImageFromClipboard();
    Q_INVOKABLE void copyText(const QString& text);

    // A finished exchange from history or a demo (the screenshot mode).
    void add_history(const QString& user_text, const QList<QUrl>& image_files,
                     const QString& answer);

  signals:
    void generatingChanged();
    void visionChanged();
    void pendingImagesChanged();
    void lastUserRowChanged();
    // A short message for the toast (errors in plain words).
    void notify(const QString& message);
    void answerFinished();

  private:
    void start_answer();
    void attach_decoded(const DecodedImage& decoded);
    void set_request(quint64 id);
    void decode_async(const QString& path);

    QPointer<EngineController> engine_;
    QPointer<ChatSettings> settings_;
    std::shared_ptr<ImageStore> images_;
    MessageListModel messages_;
    AttachmentListModel attachments_;
    quint64 request_ = 0;
    int answer_row_ = -1;
    int pending_images_ = 0;
};

}  // namespace prism::ui
