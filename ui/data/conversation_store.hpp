#pragma once

// The chat history: conversations, their messages and attached images, in SQLite (WAL mode,
// foreign keys on) under the app's data folder. Images are copied into <folder>/images and
// referenced by path.
//
// Streaming answers are written as they grow: beginAnswer() inserts the row, updateAnswer()
// stores the text at most every writeInterval ms (each write its own committed transaction;
// a timer writes the last pending text), finishAnswer() stores the final text and statistics.
// Killing the process loses at most the last interval of text.
//
// Failures never throw: methods return false / -1 / empty, set lastError and emit
// errorOccurred with a sentence for the user. A damaged database file is renamed aside and a
// new one started (recoveryNotice says where the old one went).
//
// The object uses its database connection from the thread that called open().

#include <QElapsedTimer>
#include <QObject>
#include <QSqlDatabase>
#include <QStringList>
#include <QTimer>
#include <QVariantList>
#include <QVariantMap>
#include <map>
#include <optional>
#include <vector>

#include "data/history_types.hpp"

class QSqlError;

namespace prism::ui {

class ConversationStore : public QObject {
    Q_OBJECT
    Q_PROPERTY(bool ready READ isReady NOTIFY readyChanged)
    Q_PROPERTY(QString dataFolder READ dataFolder NOTIFY readyChanged)
    Q_PROPERTY(bool fullTextSearch READ fullTextSearch NOTIFY readyChanged)
    Q_PROPERTY(QString lastError READ lastError NOTIFY errorOccurred)
    Q_PROPERTY(QString recoveryNotice READ recoveryNotice NOTIFY recoveryNoticeChanged)
    // Why the last open() failed, for the user (what happened and where the file is); empty
    // while the history is open.
    Q_PROPERTY(QString openError READ openError NOTIFY openErrorChanged)

  public:
    struct Options {
        QString data_folder;          // empty: app_data_folder()
        bool allow_full_text = true;  // false forces the LIKE search (tests)
        int write_interval_ms = 250;  // streaming text is written at most this often
    };

    explicit ConversationStore(QObject* parent = nullptr);
    ~ConversationStore() override;

    // Opens (creating or migrating) <folder>/history.sqlite. Empty folder: app_data_folder().
    Q_INVOKABLE bool open(const QString& dataFolder = {});
    bool open(const Options& options);
    // Writes pending text and closes the database.
    Q_INVOKABLE void close();

    bool isReady() const { return ready_; }
    QString dataFolder() const { return folder_; }
    QString databasePath() const { return db_path_; }
    bool fullTextSearch() const { return full_text_; }
    QString lastError() const { return last_error_; }
    QString recoveryNotice() const { return recovery_notice_; }
    QString openError() const { return open_error_; }

    // --- reading (newest conversation first; messages oldest first)
    std::vector<ConversationSummary> listConversations(const QString& search = {});
    std::optional<ConversationSummary> conversation(qint64 id);
    std::vector<StoredMessage> listMessages(qint64 conversation);
    Q_INVOKABLE QVariantList conversations(const QString& search = {});
    Q_INVOKABLE QVariantMap conversationInfo(qint64 id);
    Q_INVOKABLE QVariantList messages(qint64 conversation);

    // --- conversations
    // Returns the new id, or -1.
    Q_INVOKABLE qint64 createConversation(const QString& modelPath = {});
    // Sets a title the user typed; from then on it is not derived from messages.
    Q_INVOKABLE bool renameConversation(qint64 id, const QString& title);
    Q_INVOKABLE bool setConversationModel(qint64 id, const QString& modelPath);
    // Deletes the conversation, its messages and attachments, and the image files no other
    // message refers to.
    Q_INVOKABLE bool deleteConversation(qint64 id);
    // A delete the user may still undo: the conversation leaves the list (and conversation())
    // at once but stays whole, files included, until purgeConversation() deletes it as above or
    // restoreConversation() brings it back where it was. close() purges the ones this store
    // marked; open() purges any left marked by a Prism that ended without closing.
    Q_INVOKABLE bool markConversationDeleted(qint64 id);
    Q_INVOKABLE bool restoreConversation(qint64 id);
    // False when the conversation is not marked deleted (restored, or gone already).
    Q_INVOKABLE bool purgeConversation(qint64 id);

    // --- messages
    // A user or system message with images (paths of files anywhere; they are copied in).
    // The first user message titles an untitled conversation. Returns the id, or -1 (and
    // nothing is stored when an image cannot be read).
    Q_INVOKABLE qint64 addMessage(qint64 conversation, const QString& role, const QString& text,
                                  const QStringList& imagePaths = {});
    // The same with attachments of any kind (images, sounds, videos), kept in order.
    qint64 addMessageWithAttachments(qint64 conversation, const QString& role, const QString& text,
                                     const std::vector<NewAttachment>& attachments);
    // A file ImageLibrary::import stored for an attachment that was then not sent: deleted
    // unless a message refers to it.
    void discardImported(const QString& relative_path);
    Q_INVOKABLE bool editMessageText(qint64 message, const QString& text);
    // Deletes a message and every later one of its conversation (regenerate, edit-and-resend).
    Q_INVOKABLE bool deleteMessagesFrom(qint64 message);

    // --- streaming answers
    // Inserts an empty assistant message; returns its id, or -1.
    Q_INVOKABLE qint64 beginAnswer(qint64 conversation);
    // The whole text so far (not a delta). Cheap to call per token.
    Q_INVOKABLE void updateAnswer(qint64 message, const QString& textSoFar);
    // `stats` keys: tokensPerSecond, timeToFirstTokenMs, imageEncodeMs, stopReason, and the
    // optional timeToTranscriptMs, timeToFirstSoundMs.
    Q_INVOKABLE bool finishAnswer(qint64 message, const QString& text, const QVariantMap& stats);
    bool finishAnswer(qint64 message, const QString& text, const AnswerStats& stats);
    // A finished spoken answer's latency, measured after it was stored (its first sound is
    // played after the text ended, or Whisper's text of the question came later); nullopt
    // stores NULL.
    bool setSpokenLatency(qint64 message, std::optional<double> time_to_transcript_ms,
                          std::optional<double> time_to_first_sound_ms);
    // Writes every pending answer text now.
    Q_INVOKABLE bool flushPendingWrites();

  signals:
    void readyChanged();
    void errorOccurred(const QString& message);
    void recoveryNoticeChanged();
    void openErrorChanged();
    // The list, a title, an order or a preview changed.
    void conversationsChanged();
    // Messages were added, edited or deleted (not emitted for streaming updates).
    void messagesChanged(qint64 conversation);

  private:
    enum class OpenResult { ok, corrupt, failed };
    struct PendingAnswer {
        QString text;
        qint64 last_write_ms = 0;
        bool written_once = false;
        bool dirty = false;
    };

    OpenResult open_connection(QString& error);
    void close_connection();
    bool fail(const QString& what, const QSqlError& error);
    bool fail(const QString& message);
    // fail(), remembered as openError.
    bool fail_open(const QString& message);
    bool require_ready();
    bool write_answer_text(qint64 message, PendingAnswer& pending);
    qint64 conversation_of(qint64 message);
    // A message's text changed: its conversation moves to the top and listeners hear of it.
    void message_changed(qint64 message);
    // Deletes those of `relative_paths` that no attachment refers to any more.
    void remove_unreferenced_images(const QStringList& relative_paths);
    // The conversation's rows in one statement, then its files nothing else refers to; with
    // `only_marked`, only a conversation marked deleted. False (without an error) when no
    // such conversation exists.
    bool delete_conversation_rows(qint64 id, bool only_marked);
    // Marked deleted, or not, by this store.
    bool set_deleted(qint64 id, bool deleted);
    void purge_marked(const std::vector<qint64>& ids);
    // Every conversation marked deleted, by any store.
    std::vector<qint64> marked_conversations();
    bool touch_conversation(qint64 id, qint64 now_ms);

    Options options_;
    QString folder_;
    QString db_path_;
    QString connection_;
    QSqlDatabase db_;
    bool ready_ = false;
    bool full_text_ = false;
    QString last_error_;
    QString recovery_notice_;
    QString open_error_;
    std::map<qint64, PendingAnswer> pending_;
    std::vector<qint64> marked_deleted_;  // by this store, not yet purged or restored
    QTimer flush_timer_;
    QElapsedTimer clock_;
};

}  // namespace prism::ui
