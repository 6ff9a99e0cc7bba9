#pragma once

// Deleting conversations from the sidebar, with a few seconds to take it back: a conversation
// leaves the list at once (ConversationStore::markConversationDeleted) and is deleted for good,
// messages, attachments and files, when the notice's time is up or when the app closes. Deletes
// made while the notice shows join it (a second click that lands on the row that moved up under
// the pointer is undone with the first), and each restarts its time. Undo puts them all back as
// they were, in their places in the list, and the one on screen on screen again, unless
// something else was started since.

#include <QList>
#include <QObject>
#include <QPointer>
#include <QQmlEngine>
#include <QString>
#include <QStringList>
#include <QTimer>

namespace prism::ui {

class ChatController;
class ConversationStore;

class ConversationDeletion : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the conversation deletion.")

    // Deletes that Undo can still take back.
    Q_PROPERTY(bool pending READ pending NOTIFY pendingChanged)
    Q_PROPERTY(int count READ count NOTIFY pendingChanged)
    // Their titles, in the order deleted.
    Q_PROPERTY(QStringList titles READ titles NOTIFY pendingChanged)
    Q_PROPERTY(int undoMs READ undoMs CONSTANT)  // how long Undo is offered

  public:
    static constexpr int kDefaultUndoMs = 8000;

    ConversationDeletion(ConversationStore* history, ChatController* chat,
                         int undo_ms = kDefaultUndoMs, QObject* parent = nullptr);
    // Makes pending deletes final.
    ~ConversationDeletion() override;

    bool pending() const { return !pending_.isEmpty(); }
    int count() const { return static_cast<int>(pending_.size()); }
    const QList<qint64>& pending_ids() const { return pending_; }
    QStringList titles() const { return titles_; }
    int undoMs() const { return undo_ms_; }
    // For deletes from now on.
    void set_undo_ms(int ms) { undo_ms_ = ms; }

    // False (the store says why) when nothing was deleted.
    Q_INVOKABLE bool remove(qint64 id);
    // Brings back every pending delete; false when one could not be.
    Q_INVOKABLE bool undo();
    // The pending deletes made final now, as when the time is up.
    Q_INVOKABLE void commit();

  signals:
    void pendingChanged();

  private:
    QPointer<ConversationStore> history_;
    QPointer<ChatController> chat_;
    int undo_ms_;
    QTimer timer_;
    QList<qint64> pending_;
    QStringList titles_;
    qint64 shown_ = -1;  // the pending one that was on screen
};

}  // namespace prism::ui
