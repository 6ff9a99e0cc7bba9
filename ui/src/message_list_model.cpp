#include "message_list_model.hpp"

#include <QStringList>
#include <QUrl>
#include <QVariantMap>

#include "attachment_list_model.hpp"
#include "model_description.hpp"

namespace prism::ui {

MessageListModel::MessageListModel(QObject* parent) : QAbstractListModel(parent) {}
MessageListModel::~MessageListModel() = default;

int MessageListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant MessageListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const Message& m = messages_.at(static_cast<size_t>(index.row()));
    switch (role) {
        case RoleRole:
            return m.turn.role == TurnRole::assistant ? QStringLiteral("assistant")
                                                      : QStringLiteral("user");
        case Qt::DisplayRole:
        case TextRole:
            return m.turn.text;
        case BlocksRole:
            return QVariant::fromValue(static_cast<QObject*>(m.blocks.get()));
        case ImagesRole: {
            QStringList urls;
            for (const ImageAttachment& a : m.turn.images) {
                if (a.kind != AttachmentKind::image) continue;
                // History images are files Qt Quick loads (asynchronously) itself.
                urls.append(a.id.isEmpty() ? QUrl::fromLocalFile(a.path).toString()
                                           : QStringLiteral("image://attachments/%1").arg(a.id));
            }
            return urls;
        }
        case MediaRole: {
            QVariantList media;
            for (const ImageAttachment& a : m.turn.images) {
                if (a.kind == AttachmentKind::image) continue;
                media.append(QVariantMap{
                    {QStringLiteral("kind"), kind_name(a.kind)},
                    {QStringLiteral("name"), a.name},
                    {QStringLiteral("source"),
                     a.kind == AttachmentKind::video && !a.id.isEmpty()
                         ? QStringLiteral("image://attachments/%1").arg(a.id)
                         : QString()},
                    {QStringLiteral("duration"), format_media_duration(a.duration_seconds)},
                    {QStringLiteral("fileUrl"), QUrl::fromLocalFile(a.path)}});
            }
            return media;
        }
        case StreamingRole:
            return m.streaming;
        case StatsRole:
            return m.stats;
        case ErrorRole:
            return m.error;
        case NoteRole:
            return m.note;
        default:
            return {};
    }
}

QHash<int, QByteArray> MessageListModel::roleNames() const {
    return {{RoleRole, "role"},     {TextRole, "text"},   {BlocksRole, "blocks"},
            {ImagesRole, "images"}, {MediaRole, "media"}, {StreamingRole, "streaming"},
            {StatsRole, "stats"},   {ErrorRole, "error"}, {NoteRole, "note"}};
}

QString MessageListModel::textAt(int row) const {
    return row >= 0 && row < count() ? messages_.at(static_cast<size_t>(row)).turn.text : QString();
}

QString MessageListModel::roleAt(int row) const {
    return data(index(row), RoleRole).toString();
}

int MessageListModel::append(Message message) {
    const int row = count();
    message.blocks = std::make_unique<BlockListModel>();
    // QML must not take ownership of an object the model owns.
    QQmlEngine::setObjectOwnership(message.blocks.get(), QQmlEngine::CppOwnership);
    message.blocks->set_markdown(message.turn.text);
    beginInsertRows({}, row, row);
    messages_.push_back(std::move(message));
    endInsertRows();
    emit countChanged();
    return row;
}

int MessageListModel::append_user(const QString& text, const QList<ImageAttachment>& images) {
    Message m;
    m.turn = {TurnRole::user, text, images};
    return append(std::move(m));
}

int MessageListModel::append_assistant() {
    Message m;
    m.turn.role = TurnRole::assistant;
    m.streaming = true;
    return append(std::move(m));
}

int MessageListModel::append_assistant_text(const QString& text, const QString& stats,
                                            const QString& error, const QString& note) {
    Message m;
    m.turn = {TurnRole::assistant, text, {}};
    m.stats = stats;
    m.error = error;
    m.note = note;
    return append(std::move(m));
}

void MessageListModel::set_stored_id(int row, qint64 id) {
    if (row >= 0 && row < count()) messages_.at(static_cast<size_t>(row)).stored_id = id;
}

qint64 MessageListModel::stored_id(int row) const {
    return row >= 0 && row < count() ? messages_.at(static_cast<size_t>(row)).stored_id : -1;
}

void MessageListModel::append_piece(int row, const QString& piece) {
    if (row < 0 || row >= count() || piece.isEmpty()) return;
    Message& m = messages_.at(static_cast<size_t>(row));
    m.turn.text += piece;
    m.blocks->set_markdown(m.turn.text);
    changed(row, {TextRole});
}

void MessageListModel::finish(int row, const AnswerTimings& stats) {
    if (row < 0 || row >= count()) return;
    Message& m = messages_.at(static_cast<size_t>(row));
    m.streaming = false;
    m.stats = format_stats(stats);
    m.note = format_note(stats);
    changed(row, {StreamingRole, StatsRole, NoteRole});
}

void MessageListModel::fail(int row, const QString& error) {
    if (row < 0 || row >= count()) return;
    Message& m = messages_.at(static_cast<size_t>(row));
    m.streaming = false;
    m.error = error;
    changed(row, {StreamingRole, ErrorRole});
}

void MessageListModel::truncate(int row) {
    if (row < 0 || row >= count()) return;
    beginRemoveRows({}, row, count() - 1);
    messages_.erase(messages_.begin() + row, messages_.end());
    endRemoveRows();
    emit countChanged();
}

void MessageListModel::clear() {
    if (messages_.empty()) return;
    beginResetModel();
    messages_.clear();
    endResetModel();
    emit countChanged();
}

QList<ChatTurn> MessageListModel::turns(int end_row) const {
    QList<ChatTurn> out;
    for (int i = 0; i < end_row && i < count(); ++i) {
        const Message& m = messages_.at(static_cast<size_t>(i));
        // A failed or empty answer is not part of what the model saw.
        if (m.turn.role == TurnRole::assistant && (m.turn.text.isEmpty() || !m.error.isEmpty()))
            continue;
        out.append(m.turn);
    }
    return out;
}

QString MessageListModel::format_stats(const AnswerTimings& s) {
    QStringList parts;
    parts.append(tr("%1 tok/s").arg(s.tokens_per_second, 0, 'f', 1));
    parts.append(tr("first token %1 ms").arg(qRound(s.time_to_first_token_ms)));
    // A video is many pictures (and, for a model that hears, many stretches of sound).
    if (s.images_encoded == 1)
        parts.append(tr("image encode %1 ms").arg(qRound(s.image_encode_ms)));
    if (s.images_encoded > 1) {
        parts.append(tr("image encode %1 ms (%2 pictures)")
                         .arg(qRound(s.image_encode_ms))
                         .arg(s.images_encoded));
    }
    if (s.sounds_encoded == 1)
        parts.append(tr("audio encode %1 ms").arg(qRound(s.audio_encode_ms)));
    if (s.sounds_encoded > 1) {
        parts.append(tr("audio encode %1 ms (%2 sounds)")
                         .arg(qRound(s.audio_encode_ms))
                         .arg(s.sounds_encoded));
    }
    if (s.tokens >= 0) parts.append(tr("%1 tokens").arg(s.tokens));
    // A live turn's, measured from the end of the question (speech ended, or sent) rather
    // than from the request.
    QStringList spoken;
    if (s.transcript_ms >= 0) spoken.append(tr("transcript %1 ms").arg(qRound(s.transcript_ms)));
    if (s.first_sound_ms >= 0) spoken.append(tr("first sound %1 ms").arg(qRound(s.first_sound_ms)));
    if (!spoken.isEmpty())
        parts.append(tr("after the question: %1").arg(spoken.join(QStringLiteral(", "))));
    if (s.stop_reason == QLatin1String("cancelled") ||
        s.stop_reason == QLatin1String("stopped by callback"))
        parts.append(tr("stopped"));
    return parts.join(QStringLiteral(" · "));
}

QString MessageListModel::format_note(const AnswerTimings& s) {
    QStringList notes;
    // One note per count of things the answer went without: `one` for a single thing, `many`
    // (with %1) for more.
    const auto count_note = [&](qint64 count, const QString& one, const QString& many) {
        if (count > 0) notes.append(count == 1 ? one : many.arg(count));
    };
    count_note(s.messages_left_out,
               tr("The oldest message no longer fits in the context, so the model did not see "
                  "it for this answer."),
               tr("The %1 oldest messages no longer fit in the context, so the model did not "
                  "see them for this answer."));
    count_note(s.pictures_left_out,
               tr("A picture or video of an earlier message was left out: this model has no "
                  "vision encoder."),
               tr("%1 pictures and videos of earlier messages were left out: this model has no "
                  "vision encoder."));
    count_note(s.sounds_not_sent_to_server,
               tr("A sound of an earlier message was not sent: the server's model does not "
                  "take sound."),
               tr("%1 sounds of earlier messages were not sent: the server's model does not "
                  "take sound."));
    count_note(s.sounds_left_out,
               tr("A sound of an earlier message was left out: this model has no audio "
                  "encoder."),
               tr("%1 sounds of earlier messages were left out: this model has no audio "
                  "encoder."));
    if (s.stop_reason == QLatin1String("context full")) {
        const QString size =
            s.context_tokens > 0 ? tr(" (%1 tokens)").arg(s.context_tokens) : QString();
        notes.append(tr("The context%1 is full, so the answer stops here. Your next message "
                        "leaves the oldest turns out; a new chat or a larger context size in the "
                        "settings gives more room.")
                         .arg(size));
    }
    return notes.join(u' ');
}

void MessageListModel::set_poster(const QString& path, const QString& id) {
    for (int row = 0; row < count(); ++row) {
        bool found = false;
        for (ImageAttachment& a : messages_.at(static_cast<size_t>(row)).turn.images) {
            if (a.kind != AttachmentKind::video || a.path != path) continue;
            a.id = id;
            found = true;
        }
        if (found) changed(row, {MediaRole});
    }
}

void MessageListModel::changed(int row, const QList<int>& roles) {
    emit dataChanged(index(row), index(row), roles);
}

}  // namespace prism::ui
