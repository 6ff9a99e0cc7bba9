#pragma once

// The conversation shown in the chat view: user and assistant turns, the answer being streamed
// appended in place, and each answer's speed figures. Owned and changed on the UI thread only;
// the engine thread sends pieces by signal (no shared model, no lock).

#include <QAbstractListModel>
#include <QQmlEngine>
#include <memory>
#include <vector>

#include "block_list_model.hpp"
#include "chat_types.hpp"

namespace prism::ui {

class MessageListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Owned by ChatController.")
    Q_PROPERTY(int count READ count NOTIFY countChanged)

  public:
    enum Role {
        RoleRole = Qt::UserRole + 1,  // "user" | "assistant"
        TextRole,
        BlocksRole,
        ImagesRole,  // image provider URLs of the message's images
        MediaRole,   // its sounds and videos: maps with kind, name, source, duration, fileUrl
        StreamingRole,
        StatsRole,  // "12.4 tok/s · first token 80 ms", empty while streaming
        ErrorRole,
        NoteRole,  // what the context did to this answer (full, oldest turns left out)
    };

    explicit MessageListModel(QObject* parent = nullptr);
    ~MessageListModel() override;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return static_cast<int>(messages_.size()); }
    Q_INVOKABLE QString textAt(int row) const;
    Q_INVOKABLE QString roleAt(int row) const;

    int append_user(const QString& text, const QList<ImageAttachment>& images);
    // The history row a message is stored as (-1: not stored).
    void set_stored_id(int row, qint64 id);
    qint64 stored_id(int row) const;
    // Starts an empty assistant answer that pieces are appended to; returns its row.
    int append_assistant();
    // A finished assistant turn (restored history); `stats` and `note` as formatted by
    // format_stats and format_note.
    int append_assistant_text(const QString& text, const QString& stats = {},
                              const QString& error = {}, const QString& note = {});
    void append_piece(int row, const QString& piece);
    void finish(int row, const AnswerTimings& stats);
    void fail(int row, const QString& error);
    // A history video's poster is ready under `id` in the ImageStore: every message showing
    // that file gets it.
    void set_poster(const QString& path, const QString& id);
    // Removes rows [row, end).
    void truncate(int row);
    void clear();

    // The turns up to (not including) `end_row`, as the engine gets them.
    QList<ChatTurn> turns(int end_row) const;
    const ChatTurn& turn(int row) const { return messages_.at(static_cast<size_t>(row)).turn; }

    static QString format_stats(const AnswerTimings& stats);
    // Empty unless the context cut the answer or the oldest messages were left out.
    static QString format_note(const AnswerTimings& stats);

  signals:
    void countChanged();

  private:
    struct Message {
        ChatTurn turn;
        std::unique_ptr<BlockListModel> blocks;
        bool streaming = false;
        QString stats;
        QString error;
        QString note;
        qint64 stored_id = -1;
    };
    int append(Message message);
    void changed(int row, const QList<int>& roles);

    std::vector<Message> messages_;
};

}  // namespace prism::ui
