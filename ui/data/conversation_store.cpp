#include "data/conversation_store.hpp"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>
#include <utility>

#include "data/app_paths.hpp"
#include "data/database_recovery.hpp"
#include "data/history_schema.hpp"
#include "data/history_search.hpp"
#include "data/image_dimensions.hpp"
#include "data/image_library.hpp"
#include "data/title_rules.hpp"

namespace prism::ui {
namespace {

constexpr int kPreviewChars = 100;

QString unique_connection_name() {
    static QAtomicInteger<int> counter{0};
    return QStringLiteral("prism-history-%1").arg(counter.fetchAndAddRelaxed(1));
}

qint64 now_ms() {
    return QDateTime::currentMSecsSinceEpoch();
}

// Qt binds a null QString as SQL NULL; the text columns are NOT NULL.
QString not_null(const QString& s) {
    return s.isNull() ? QStringLiteral("") : s;
}

// An optional figure as SQL NULL when absent.
QVariant nullable(const std::optional<double>& ms) {
    return ms ? QVariant(*ms) : QVariant(QMetaType::fromType<double>());
}

std::optional<double> optional_ms(const QVariant& v) {
    if (v.isNull()) return std::nullopt;
    return v.toDouble();
}

QDateTime from_ms(const QVariant& v) {
    return QDateTime::fromMSecsSinceEpoch(v.toLongLong());
}

QString preview_of(const QString& text) {
    QString line = text.simplified();
    if (line.size() > kPreviewChars) line = line.left(kPreviewChars - 1) + QChar(0x2026);
    return line;
}

ConversationSummary summary_from(const QSqlQuery& q) {
    ConversationSummary c;
    c.id = q.value(0).toLongLong();
    c.title = q.value(1).toString();
    if (c.title.isEmpty()) c.title = QString::fromLatin1(kUntitledConversation);
    c.created = from_ms(q.value(2));
    c.updated = from_ms(q.value(3));
    c.model_path = q.value(4).toString();
    c.preview = preview_of(q.value(5).toString());
    return c;
}

const QString kSummaryColumns = QStringLiteral(
    "c.id, c.title, c.created, c.updated, c.model_path,"
    " (SELECT m.text FROM messages m WHERE m.conversation = c.id ORDER BY m.id DESC LIMIT 1)");

// The attachment's file in the store: the copy made when it was attached, a file already in
// the store (a stored message sent again: its name is its hash, so nothing is read but its
// first bytes), or else a new copy.
ImportedImage stored_copy(const ImageLibrary& library, const NewAttachment& attachment) {
    if (attachment.imported &&
        QFileInfo(library.absolute_path(attachment.imported->relative_path)).isFile())
        return *attachment.imported;
    const QFileInfo source(attachment.path);
    const QString images =
        QFileInfo(library.absolute_path(QStringLiteral("images"))).canonicalFilePath();
    if (!images.isEmpty() && source.isFile() && source.canonicalPath() == images) {
        ImportedImage img;
        img.relative_path = QStringLiteral("images/") + source.fileName();
        img.original_name = source.fileName();
        QFile file(source.filePath());
        if (file.open(QIODevice::ReadOnly)) {
            const ImageDimensions dims = read_image_dimensions(file.read(1 << 20));
            img.width = dims.width;
            img.height = dims.height;
        }
        return img;
    }
    return library.import(attachment.path);
}

}  // namespace

// The timer is a child so that moveToThread() takes it along with the store.
ConversationStore::ConversationStore(QObject* parent) : QObject(parent), flush_timer_(this) {
    clock_.start();
    flush_timer_.setSingleShot(true);
    connect(&flush_timer_, &QTimer::timeout, this, [this] { flushPendingWrites(); });
}

ConversationStore::~ConversationStore() {
    close();
}

bool ConversationStore::open(const QString& dataFolder) {
    Options options = options_;
    options.data_folder = dataFolder;
    return open(options);
}

bool ConversationStore::open(const Options& options) {
    close();
    options_ = options;
    if (!open_error_.isEmpty()) {
        open_error_.clear();
        emit openErrorChanged();
    }
    folder_ = options.data_folder.isEmpty() ? app_data_folder() : options.data_folder;
    if (!QDir().mkpath(folder_))
        return fail_open(QStringLiteral("Cannot create the history folder %1, so conversations "
                                        "are not saved in this session.")
                             .arg(QDir::toNativeSeparators(folder_)));
    db_path_ = QDir(folder_).filePath(QStringLiteral("history.sqlite"));
    const QString shown_path = QDir::toNativeSeparators(db_path_);
    // SQLite would only say "unable to open database file".
    if (QFileInfo(db_path_).isDir())
        return fail_open(QStringLiteral("The conversation history cannot be opened: %1 is a "
                                        "folder, not a history file. Nothing was changed; move or "
                                        "rename that folder to start a new history. Conversations "
                                        "are not saved in this session.")
                             .arg(shown_path));

    QString error;
    OpenResult result = open_connection(error);
    if (result == OpenResult::corrupt) {
        close_connection();
        const QString moved = move_database_aside(db_path_, QDateTime::currentDateTime());
        if (moved.isEmpty())
            return fail_open(QStringLiteral("The history file %1 is damaged (%2) and could not "
                                            "be moved aside; it was left as it is. Conversations "
                                            "are not saved in this session.")
                                 .arg(shown_path, error));
        recovery_notice_ = QStringLiteral(
                               "The conversation history could not be read (%1). The damaged "
                               "file was kept as %2 and a new, empty history was started.")
                               .arg(error, QDir::toNativeSeparators(moved));
        emit recoveryNoticeChanged();
        result = open_connection(error);
    }
    if (result != OpenResult::ok) {
        close_connection();
        if (!error.endsWith(u'.')) error += u'.';
        return fail_open(QStringLiteral("Cannot open the conversation history %1: %2 "
                                        "Conversations are not saved in this session.")
                             .arg(shown_path, error));
    }
    ready_ = true;
    // Deletes whose Prism ended before making them for good (killed, crashed) are made now.
    purge_marked(marked_conversations());
    emit readyChanged();
    emit conversationsChanged();
    return true;
}

ConversationStore::OpenResult ConversationStore::open_connection(QString& error) {
    connection_ = unique_connection_name();
    db_ = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection_);
    if (!db_.isValid()) {
        error = QStringLiteral("Qt's SQLite driver is not installed");
        return OpenResult::failed;
    }
    db_.setDatabaseName(db_path_);
    // Another Prism process may hold a write lock for a moment; wait rather than fail.
    db_.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!db_.open()) {
        error = db_.lastError().text();
        return is_corruption(db_.lastError()) ? OpenResult::corrupt : OpenResult::failed;
    }
    QSqlQuery q(db_);
    auto run = [&](const QString& sql, const QString& expected) -> OpenResult {
        if (!q.exec(sql)) {
            error = q.lastError().text();
            return is_corruption(q.lastError()) ? OpenResult::corrupt : OpenResult::failed;
        }
        if (!expected.isEmpty()) {
            const QString got = q.next() ? q.value(0).toString() : QString();
            if (got.compare(expected, Qt::CaseInsensitive) != 0) {
                error = QStringLiteral("%1 gave \"%2\"").arg(sql, got);
                q.finish();
                // quick_check reports damage as rows of text, not as an error.
                return sql.contains(QLatin1String("quick_check")) ? OpenResult::corrupt
                                                                  : OpenResult::failed;
            }
        }
        q.finish();
        return OpenResult::ok;
    };
    for (const auto& [sql, expected] :
         {std::pair{QStringLiteral("PRAGMA foreign_keys = ON"), QString()},
          std::pair{QStringLiteral("PRAGMA journal_mode = WAL"), QStringLiteral("wal")},
          std::pair{QStringLiteral("PRAGMA quick_check"), QStringLiteral("ok")}}) {
        const OpenResult r = run(sql, expected);
        if (r != OpenResult::ok) return r;
    }
    error = migrate_history_schema(db_);
    if (!error.isEmpty()) return OpenResult::failed;
    full_text_ = options_.allow_full_text && sqlite_has_fts5(db_);
    const QString search_error = prepare_message_search(db_, full_text_);
    if (!search_error.isEmpty()) {
        // Search falls back to LIKE; the history itself is fine.
        full_text_ = false;
        prepare_message_search(db_, false);
    }
    return OpenResult::ok;
}

void ConversationStore::close() {
    if (ready_) {
        flushPendingWrites();
        // The undo ends with the app: what the user deleted goes for good.
        purge_marked(std::exchange(marked_deleted_, {}));
    }
    marked_deleted_.clear();
    pending_.clear();
    flush_timer_.stop();
    close_connection();
    if (ready_) {
        ready_ = false;
        emit readyChanged();
    }
}

void ConversationStore::close_connection() {
    if (connection_.isEmpty()) return;
    db_.close();
    db_ = QSqlDatabase();
    QSqlDatabase::removeDatabase(connection_);
    connection_.clear();
}

bool ConversationStore::fail(const QString& what, const QSqlError& error) {
    const QString detail = error.text().trimmed();
    return fail(detail.isEmpty() ? what : QStringLiteral("%1: %2").arg(what, detail));
}

bool ConversationStore::fail_open(const QString& message) {
    open_error_ = message;
    emit openErrorChanged();
    return fail(message);
}

bool ConversationStore::fail(const QString& message) {
    last_error_ = message;
    emit errorOccurred(message);
    return false;
}

bool ConversationStore::require_ready() {
    return ready_ || fail(QStringLiteral("The conversation history is not open."));
}

// ---------------------------------------------------------------- reading

std::vector<ConversationSummary> ConversationStore::listConversations(const QString& search) {
    std::vector<ConversationSummary> out;
    if (!require_ready()) return out;
    QSqlQuery q(db_);
    const QString words = search.simplified();
    QString sql = QStringLiteral("SELECT %1 FROM conversations c WHERE c.deleted IS NULL")
                      .arg(kSummaryColumns);
    const QString match = fts_match_expression(words);
    const bool use_index = full_text_ && !match.isEmpty();
    if (!words.isEmpty()) {
        sql += QStringLiteral(" AND (c.title LIKE :like ESCAPE '\\' OR c.id IN (");
        sql += use_index ? QStringLiteral(
                               "SELECT m.conversation FROM messages m JOIN message_fts f"
                               " ON f.rowid = m.id WHERE message_fts MATCH :match))")
                         : QStringLiteral(
                               "SELECT m.conversation FROM messages m"
                               " WHERE m.text LIKE :like2 ESCAPE '\\'))");
    }
    sql += QStringLiteral(" ORDER BY c.updated DESC, c.id DESC");
    if (!q.prepare(sql)) {
        fail(QStringLiteral("Cannot list conversations"), q.lastError());
        return out;
    }
    if (!words.isEmpty()) {
        const QString like = QStringLiteral("%%1%").arg(escape_like(words));
        q.bindValue(QStringLiteral(":like"), like);
        if (use_index)
            q.bindValue(QStringLiteral(":match"), match);
        else
            q.bindValue(QStringLiteral(":like2"), like);
    }
    if (!q.exec()) {
        fail(QStringLiteral("Cannot list conversations"), q.lastError());
        return out;
    }
    while (q.next()) out.push_back(summary_from(q));
    return out;
}

std::optional<ConversationSummary> ConversationStore::conversation(qint64 id) {
    if (!require_ready()) return std::nullopt;
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("SELECT %1 FROM conversations c WHERE c.id = ? AND c.deleted IS NULL")
                  .arg(kSummaryColumns));
    q.addBindValue(id);
    if (!q.exec()) {
        fail(QStringLiteral("Cannot read conversation %1").arg(id), q.lastError());
        return std::nullopt;
    }
    if (!q.next()) return std::nullopt;
    return summary_from(q);
}

std::vector<StoredMessage> ConversationStore::listMessages(qint64 conversation) {
    std::vector<StoredMessage> out;
    if (!require_ready()) return out;
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "SELECT id, role, text, created, tokens_per_second, time_to_first_token_ms,"
        " image_encode_ms, stop_reason, time_to_transcript_ms, time_to_first_sound_ms"
        " FROM messages WHERE conversation = ? ORDER BY id"));
    q.addBindValue(conversation);
    if (!q.exec()) {
        fail(QStringLiteral("Cannot read the messages"), q.lastError());
        return out;
    }
    std::map<qint64, std::size_t> index;
    while (q.next()) {
        StoredMessage m;
        m.id = q.value(0).toLongLong();
        m.conversation = conversation;
        m.role = q.value(1).toString();
        m.text = q.value(2).toString();
        m.created = from_ms(q.value(3));
        if (!q.value(7).isNull())
            m.stats = AnswerStats{q.value(4).toDouble(),   q.value(5).toDouble(),
                                  q.value(6).toDouble(),   q.value(7).toString(),
                                  optional_ms(q.value(8)), optional_ms(q.value(9))};
        index[m.id] = out.size();
        out.push_back(std::move(m));
    }
    q.finish();
    q.prepare(QStringLiteral(
        "SELECT a.message, a.position, a.image_path, a.original_name, a.width, a.height,"
        " a.kind, a.duration_ms FROM attachments a JOIN messages m ON m.id = a.message"
        " WHERE m.conversation = ? ORDER BY a.message, a.position"));
    q.addBindValue(conversation);
    if (!q.exec()) {
        fail(QStringLiteral("Cannot read the attachments"), q.lastError());
        return out;
    }
    const ImageLibrary images(folder_);
    while (q.next()) {
        const auto it = index.find(q.value(0).toLongLong());
        if (it == index.end()) continue;
        out[it->second].attachments.push_back(
            StoredAttachment{q.value(1).toInt(), images.absolute_path(q.value(2).toString()),
                             q.value(3).toString(), q.value(4).toInt(), q.value(5).toInt(),
                             q.value(6).toString(), q.value(7).toDouble() / 1000.0});
    }
    return out;
}

QVariantList ConversationStore::conversations(const QString& search) {
    QVariantList out;
    for (const ConversationSummary& c : listConversations(search)) out << to_variant(c);
    return out;
}

QVariantMap ConversationStore::conversationInfo(qint64 id) {
    const auto c = conversation(id);
    return c ? to_variant(*c) : QVariantMap();
}

QVariantList ConversationStore::messages(qint64 conversation) {
    QVariantList out;
    for (const StoredMessage& m : listMessages(conversation)) out << to_variant(m);
    return out;
}

// ---------------------------------------------------------------- conversations

qint64 ConversationStore::createConversation(const QString& modelPath) {
    if (!require_ready()) return -1;
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "INSERT INTO conversations (created, updated, model_path) VALUES (?, ?, ?)"));
    const qint64 now = now_ms();
    q.addBindValue(now);
    q.addBindValue(now);
    q.addBindValue(not_null(modelPath));
    if (!q.exec()) {
        fail(QStringLiteral("Cannot create a conversation"), q.lastError());
        return -1;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    emit conversationsChanged();
    return id;
}

bool ConversationStore::renameConversation(qint64 id, const QString& title) {
    if (!require_ready()) return false;
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("UPDATE conversations SET title = ?, title_edited = 1 WHERE id = ?"));
    q.addBindValue(not_null(clean_user_title(title)));
    q.addBindValue(id);
    if (!q.exec()) return fail(QStringLiteral("Cannot rename the conversation"), q.lastError());
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("There is no conversation %1.").arg(id));
    emit conversationsChanged();
    return true;
}

bool ConversationStore::setConversationModel(qint64 id, const QString& modelPath) {
    if (!require_ready()) return false;
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("UPDATE conversations SET model_path = ? WHERE id = ?"));
    q.addBindValue(not_null(modelPath));
    q.addBindValue(id);
    if (!q.exec())
        return fail(QStringLiteral("Cannot store the conversation's model"), q.lastError());
    emit conversationsChanged();
    return true;
}

bool ConversationStore::deleteConversation(qint64 id) {
    if (!require_ready()) return false;
    flushPendingWrites();
    const bool deleted = delete_conversation_rows(id, false);
    emit conversationsChanged();
    return deleted;
}

bool ConversationStore::delete_conversation_rows(qint64 id, bool only_marked) {
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "SELECT DISTINCT a.image_path FROM attachments a JOIN messages m ON m.id = a.message"
        " WHERE m.conversation = ?"));
    q.addBindValue(id);
    if (!q.exec()) return fail(QStringLiteral("Cannot delete the conversation"), q.lastError());
    QStringList images;
    while (q.next()) images << q.value(0).toString();
    q.finish();
    // Messages and attachments go with it (ON DELETE CASCADE), all or nothing; the files only
    // after that, so that no row is left pointing at a file that is gone.
    q.prepare(only_marked
                  ? QStringLiteral("DELETE FROM conversations WHERE id = ? AND deleted IS NOT NULL")
                  : QStringLiteral("DELETE FROM conversations WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec()) return fail(QStringLiteral("Cannot delete the conversation"), q.lastError());
    const bool deleted = q.numRowsAffected() == 1;
    q.finish();
    if (deleted) remove_unreferenced_images(images);
    return deleted;
}

bool ConversationStore::markConversationDeleted(qint64 id) {
    if (!require_ready()) return false;
    flushPendingWrites();
    if (!set_deleted(id, true)) return false;
    marked_deleted_.push_back(id);
    emit conversationsChanged();
    return true;
}

bool ConversationStore::restoreConversation(qint64 id) {
    if (!require_ready()) return false;
    if (!set_deleted(id, false)) return false;
    std::erase(marked_deleted_, id);
    emit conversationsChanged();
    return true;
}

bool ConversationStore::set_deleted(qint64 id, bool deleted) {
    QSqlQuery q(db_);
    // `updated` stays: a restored conversation returns to its place in the list.
    q.prepare(deleted ? QStringLiteral(
                            "UPDATE conversations SET deleted = ? WHERE id = ? AND deleted IS NULL")
                      : QStringLiteral("UPDATE conversations SET deleted = NULL"
                                       " WHERE id = ? AND deleted IS NOT NULL"));
    if (deleted) q.addBindValue(now_ms());
    q.addBindValue(id);
    if (!q.exec())
        return fail(deleted ? QStringLiteral("Cannot delete the conversation")
                            : QStringLiteral("Cannot restore the conversation"),
                    q.lastError());
    if (q.numRowsAffected() == 1) return true;
    return fail(deleted ? QStringLiteral("There is no conversation %1.").arg(id)
                        : QStringLiteral("The conversation can no longer be restored: it was "
                                         "deleted for good."));
}

bool ConversationStore::purgeConversation(qint64 id) {
    if (!require_ready()) return false;
    std::erase(marked_deleted_, id);
    const bool deleted = delete_conversation_rows(id, true);
    if (deleted) emit conversationsChanged();
    return deleted;
}

void ConversationStore::purge_marked(const std::vector<qint64>& ids) {
    for (const qint64 id : ids) delete_conversation_rows(id, true);
}

std::vector<qint64> ConversationStore::marked_conversations() {
    std::vector<qint64> ids;
    QSqlQuery q(db_);
    if (!q.exec(QStringLiteral("SELECT id FROM conversations WHERE deleted IS NOT NULL"))) {
        fail(QStringLiteral("Cannot list the deleted conversations"), q.lastError());
        return ids;
    }
    while (q.next()) ids.push_back(q.value(0).toLongLong());
    return ids;
}

void ConversationStore::remove_unreferenced_images(const QStringList& relative_paths) {
    const ImageLibrary library(folder_);
    QSqlQuery q(db_);
    for (const QString& path : QSet<QString>(relative_paths.begin(), relative_paths.end())) {
        q.prepare(QStringLiteral("SELECT 1 FROM attachments WHERE image_path = ? LIMIT 1"));
        q.addBindValue(path);
        // When in doubt (the query failed), keep the file.
        if (!q.exec() || q.next()) continue;
        q.finish();
        library.remove(path);
    }
}

bool ConversationStore::touch_conversation(qint64 id, qint64 now) {
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("UPDATE conversations SET updated = ? WHERE id = ?"));
    q.addBindValue(now);
    q.addBindValue(id);
    return q.exec();
}

// ---------------------------------------------------------------- messages

qint64 ConversationStore::addMessage(qint64 conversation, const QString& role, const QString& text,
                                     const QStringList& imagePaths) {
    std::vector<NewAttachment> attachments;
    for (const QString& path : imagePaths) attachments.push_back({path});
    return addMessageWithAttachments(conversation, role, text, attachments);
}

void ConversationStore::discardImported(const QString& relative_path) {
    if (ready_) remove_unreferenced_images({relative_path});
}

qint64 ConversationStore::addMessageWithAttachments(qint64 conversation, const QString& role,
                                                    const QString& text,
                                                    const std::vector<NewAttachment>& attachments) {
    if (!require_ready()) return -1;
    if (role != QLatin1String("user") && role != QLatin1String("system")) {
        fail(QStringLiteral("A message's role must be \"user\" or \"system\" (answers use "
                            "beginAnswer), not \"%1\".")
                 .arg(role));
        return -1;
    }
    // Copy the images first: the files must exist before a row refers to them.
    const ImageLibrary library(folder_);
    std::vector<ImportedImage> images;
    auto undo_images = [&] {
        QStringList fresh;
        for (const ImportedImage& img : images)
            if (img.newly_stored) fresh << img.relative_path;
        remove_unreferenced_images(fresh);
    };
    for (const NewAttachment& attachment : attachments) {
        ImportedImage img = stored_copy(library, attachment);
        if (!img.error.isEmpty()) {
            undo_images();
            fail(img.error);
            return -1;
        }
        if (attachment.kind != QLatin1String("image")) {
            img.width = attachment.size.width();
            img.height = attachment.size.height();
        }
        images.push_back(std::move(img));
    }

    if (!db_.transaction()) {
        undo_images();
        fail(QStringLiteral("Cannot store the message"), db_.lastError());
        return -1;
    }
    const qint64 now = now_ms();
    QSqlQuery q(db_);
    auto give_up = [&](const QString& what) -> qint64 {
        const QSqlError error = q.lastError();
        q.finish();
        db_.rollback();
        undo_images();
        fail(what, error);
        return -1;
    };
    q.prepare(QStringLiteral("SELECT title, title_edited FROM conversations WHERE id = ?"));
    q.addBindValue(conversation);
    if (!q.exec()) return give_up(QStringLiteral("Cannot store the message"));
    if (!q.next()) {
        db_.rollback();
        undo_images();
        fail(QStringLiteral("There is no conversation %1.").arg(conversation));
        return -1;
    }
    const bool untitled = q.value(0).toString().isEmpty() && !q.value(1).toBool();
    q.finish();

    q.prepare(QStringLiteral(
        "INSERT INTO messages (conversation, role, text, created) VALUES (?, ?, ?, ?)"));
    q.addBindValue(conversation);
    q.addBindValue(not_null(role));
    q.addBindValue(not_null(text));
    q.addBindValue(now);
    if (!q.exec()) return give_up(QStringLiteral("Cannot store the message"));
    const qint64 id = q.lastInsertId().toLongLong();
    q.finish();

    for (std::size_t i = 0; i < images.size(); ++i) {
        q.prepare(QStringLiteral(
            "INSERT INTO attachments (message, position, image_path, original_name, width, height,"
            " kind, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        q.addBindValue(id);
        q.addBindValue(static_cast<int>(i));
        q.addBindValue(not_null(images[i].relative_path));
        q.addBindValue(not_null(images[i].original_name));
        q.addBindValue(images[i].width);
        q.addBindValue(images[i].height);
        q.addBindValue(not_null(attachments[i].kind));
        q.addBindValue(qRound64(attachments[i].duration_seconds * 1000.0));
        if (!q.exec()) return give_up(QStringLiteral("Cannot store the attachment"));
    }

    QString title;
    if (untitled && role == QLatin1String("user")) {
        title = title_from_message(text);
        if (title.isEmpty() && !images.empty())
            title = title_from_message(images.front().original_name);
    }
    if (!title.isEmpty()) {
        q.prepare(QStringLiteral("UPDATE conversations SET title = ?, updated = ? WHERE id = ?"));
        q.addBindValue(not_null(title));
        q.addBindValue(now);
        q.addBindValue(conversation);
        if (!q.exec()) return give_up(QStringLiteral("Cannot store the message"));
    } else if (!touch_conversation(conversation, now)) {
        return give_up(QStringLiteral("Cannot store the message"));
    }
    if (!db_.commit()) {
        db_.rollback();
        undo_images();
        fail(QStringLiteral("Cannot store the message"), db_.lastError());
        return -1;
    }
    emit messagesChanged(conversation);
    emit conversationsChanged();
    return id;
}

qint64 ConversationStore::conversation_of(qint64 message) {
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("SELECT conversation FROM messages WHERE id = ?"));
    q.addBindValue(message);
    if (!q.exec() || !q.next()) return -1;
    return q.value(0).toLongLong();
}

void ConversationStore::message_changed(qint64 message) {
    const qint64 conversation = conversation_of(message);
    touch_conversation(conversation, now_ms());
    emit messagesChanged(conversation);
    emit conversationsChanged();
}

bool ConversationStore::editMessageText(qint64 message, const QString& text) {
    if (!require_ready()) return false;
    pending_.erase(message);
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("UPDATE messages SET text = ? WHERE id = ?"));
    q.addBindValue(not_null(text));
    q.addBindValue(message);
    if (!q.exec()) return fail(QStringLiteral("Cannot change the message"), q.lastError());
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("There is no message %1.").arg(message));
    q.finish();
    message_changed(message);
    return true;
}

bool ConversationStore::deleteMessagesFrom(qint64 message) {
    if (!require_ready()) return false;
    const qint64 conversation = conversation_of(message);
    if (conversation < 0) return fail(QStringLiteral("There is no message %1.").arg(message));
    for (auto it = pending_.begin(); it != pending_.end();)
        it = it->first >= message ? pending_.erase(it) : std::next(it);
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "SELECT DISTINCT a.image_path FROM attachments a JOIN messages m ON m.id = a.message"
        " WHERE m.conversation = ? AND m.id >= ?"));
    q.addBindValue(conversation);
    q.addBindValue(message);
    if (!q.exec()) return fail(QStringLiteral("Cannot delete the messages"), q.lastError());
    QStringList images;
    while (q.next()) images << q.value(0).toString();
    q.finish();
    q.prepare(QStringLiteral("DELETE FROM messages WHERE conversation = ? AND id >= ?"));
    q.addBindValue(conversation);
    q.addBindValue(message);
    if (!q.exec()) return fail(QStringLiteral("Cannot delete the messages"), q.lastError());
    q.finish();
    remove_unreferenced_images(images);
    touch_conversation(conversation, now_ms());
    emit messagesChanged(conversation);
    emit conversationsChanged();
    return true;
}

// ---------------------------------------------------------------- streaming answers

qint64 ConversationStore::beginAnswer(qint64 conversation) {
    if (!require_ready()) return -1;
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "INSERT INTO messages (conversation, role, text, created) VALUES (?, 'assistant', '', ?)"));
    q.addBindValue(conversation);
    q.addBindValue(now_ms());
    if (!q.exec()) {
        fail(QStringLiteral("Cannot store the answer"), q.lastError());
        return -1;
    }
    const qint64 id = q.lastInsertId().toLongLong();
    pending_[id] = PendingAnswer{};
    emit messagesChanged(conversation);
    return id;
}

void ConversationStore::updateAnswer(qint64 message, const QString& textSoFar) {
    if (!ready_) return;
    PendingAnswer& pending = pending_[message];
    pending.text = textSoFar;
    pending.dirty = true;
    const qint64 since = clock_.elapsed() - pending.last_write_ms;
    if (!pending.written_once || since >= options_.write_interval_ms) {
        write_answer_text(message, pending);
    } else if (!flush_timer_.isActive()) {
        flush_timer_.start(static_cast<int>(options_.write_interval_ms - since));
    }
}

bool ConversationStore::write_answer_text(qint64 message, PendingAnswer& pending) {
    QSqlQuery q(db_);
    q.prepare(QStringLiteral("UPDATE messages SET text = ? WHERE id = ?"));
    q.addBindValue(not_null(pending.text));
    q.addBindValue(message);
    pending.last_write_ms = clock_.elapsed();
    pending.written_once = true;
    // One autocommitted statement: each update is durable on its own.
    if (!q.exec()) return fail(QStringLiteral("Cannot save the answer so far"), q.lastError());
    pending.dirty = false;
    return true;
}

bool ConversationStore::flushPendingWrites() {
    if (!ready_) return false;
    bool ok = true;
    for (auto& [id, pending] : pending_)
        if (pending.dirty) ok = write_answer_text(id, pending) && ok;
    return ok;
}

bool ConversationStore::finishAnswer(qint64 message, const QString& text,
                                     const QVariantMap& stats) {
    return finishAnswer(message, text, answer_stats_from(stats));
}

bool ConversationStore::finishAnswer(qint64 message, const QString& text,
                                     const AnswerStats& stats) {
    if (!require_ready()) return false;
    pending_.erase(message);
    QSqlQuery q(db_);
    q.prepare(QStringLiteral(
        "UPDATE messages SET text = ?, tokens_per_second = ?, time_to_first_token_ms = ?,"
        " image_encode_ms = ?, stop_reason = ?, time_to_transcript_ms = ?,"
        " time_to_first_sound_ms = ? WHERE id = ? AND role = 'assistant'"));
    q.addBindValue(not_null(text));
    q.addBindValue(stats.tokens_per_second);
    q.addBindValue(stats.time_to_first_token_ms);
    q.addBindValue(stats.image_encode_ms);
    q.addBindValue(stats.stop_reason.isEmpty() ? QStringLiteral("unknown") : stats.stop_reason);
    q.addBindValue(nullable(stats.time_to_transcript_ms));
    q.addBindValue(nullable(stats.time_to_first_sound_ms));
    q.addBindValue(message);
    if (!q.exec()) return fail(QStringLiteral("Cannot save the answer"), q.lastError());
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("There is no answer %1 to finish.").arg(message));
    q.finish();
    message_changed(message);
    return true;
}

bool ConversationStore::setSpokenLatency(qint64 message,
                                         std::optional<double> time_to_transcript_ms,
                                         std::optional<double> time_to_first_sound_ms) {
    if (!require_ready()) return false;
    QSqlQuery q(db_);
    q.prepare(
        QStringLiteral("UPDATE messages SET time_to_transcript_ms = ?, time_to_first_sound_ms = ?"
                       " WHERE id = ? AND role = 'assistant' AND stop_reason IS NOT NULL"));
    q.addBindValue(nullable(time_to_transcript_ms));
    q.addBindValue(nullable(time_to_first_sound_ms));
    q.addBindValue(message);
    if (!q.exec()) return fail(QStringLiteral("Cannot save the answer's latency"), q.lastError());
    if (q.numRowsAffected() != 1)
        return fail(QStringLiteral("There is no finished answer %1.").arg(message));
    q.finish();
    message_changed(message);
    return true;
}

}  // namespace prism::ui
