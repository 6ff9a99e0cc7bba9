#pragma once

// Deleting a conversation from the sidebar, with a few seconds to take it back: the
// conversation leaves the list at once (ConversationStore::markConversationDeleted) and is
// deleted for good, messages, attachments and files, when the notice's time is up, when
// another conversation is deleted, or when the app closes. Undo puts it back as it was, in its
// place in the list, and on screen again when it was shown and nothing else was started since.

#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QString>
#include <QTimer>

namespace prism::ui {

class ChatController;
class ConversationStore;

class ConversationDeletion : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the conversation deletion.")

    // A delete that Undo can still take back.
    Q_PROPERTY(bool pending READ pending NOTIFY pendingChanged)
    // The title of that conversation.
    Q_PROPERTY(QString title READ title NOTIFY pendingChanged)
    Q_PROPERTY(int undoMs READ undoMs CONSTANT)  // how long Undo is offered

  public:
    static constexpr int kDefaultUndoMs = 8000;

    ConversationDeletion(ConversationStore* history, ChatController* chat,
                         int undo_ms = kDefaultUndoMs, QObject* parent = nullptr);
    // Makes a pending delete final.
    ~ConversationDeletion() override;

    bool pending() const { return pending_ >= 0; }
    qint64 pending_id() const { return pending_; }
    QString title() const { return title_; }
    int undoMs() const { return undo_ms_; }
    // For deletes from now on.
    void set_undo_ms(int ms) { undo_ms_ = ms; }

    // False (the store says why) when nothing was deleted.
    Q_INVOKABLE bool remove(qint64 id);
    Q_INVOKABLE bool undo();
    // The pending delete made final now, as when the time is up.
    Q_INVOKABLE void commit();

  signals:
    void pendingChanged();

  private:
    QPointer<ConversationStore> history_;
    QPointer<ChatController> chat_;
    int undo_ms_;
    QTimer timer_;
    qint64 pending_ = -1;
    QString title_;
    bool was_shown_ = false;
};

}  // namespace prism::ui
