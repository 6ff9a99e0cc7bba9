#include "data/history_schema.hpp"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <vector>

namespace prism::ui {
namespace {

// Times are milliseconds since the Unix epoch (UTC). Attachment paths are relative to the data
// folder so that the folder can move. Per-answer statistics stay NULL until the answer ends,
// so a NULL stop_reason on an assistant message means it was interrupted.
const std::vector<QStringList>& migrations() {
    static const std::vector<QStringList> steps = {
        // 1: the first schema.
        {
            QStringLiteral("CREATE TABLE conversations ("
                           " id INTEGER PRIMARY KEY,"
                           " title TEXT NOT NULL DEFAULT '',"
                           " title_edited INTEGER NOT NULL DEFAULT 0,"
                           " created INTEGER NOT NULL,"
                           " updated INTEGER NOT NULL,"
                           " model_path TEXT NOT NULL DEFAULT '')"),
            QStringLiteral("CREATE INDEX conversations_by_updated ON conversations(updated)"),
            QStringLiteral(
                "CREATE TABLE messages ("
                " id INTEGER PRIMARY KEY,"
                " conversation INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
                " role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),"
                " text TEXT NOT NULL DEFAULT '',"
                " created INTEGER NOT NULL,"
                " tokens_per_second REAL,"
                " time_to_first_token_ms REAL,"
                " image_encode_ms REAL,"
                " stop_reason TEXT)"),
            QStringLiteral("CREATE INDEX messages_by_conversation ON messages(conversation, id)"),
            QStringLiteral("CREATE TABLE attachments ("
                           " id INTEGER PRIMARY KEY,"
                           " message INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,"
                           " position INTEGER NOT NULL,"
                           " image_path TEXT NOT NULL,"
                           " original_name TEXT NOT NULL DEFAULT '',"
                           " width INTEGER NOT NULL DEFAULT 0,"
                           " height INTEGER NOT NULL DEFAULT 0,"
                           " UNIQUE (message, position))"),
            QStringLiteral("CREATE INDEX attachments_by_image ON attachments(image_path)"),
        },
        // 2: sounds and videos beside images (their files in the same folder), with their
        // length for the chips.
        {
            QStringLiteral("ALTER TABLE attachments ADD COLUMN kind TEXT NOT NULL DEFAULT 'image'"
                           " CHECK (kind IN ('image', 'audio', 'video'))"),
            QStringLiteral(
                "ALTER TABLE attachments ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0"),
        },
        // 3: a spoken turn's latency, from the end of the user's speech to Whisper's text and
        // to the answer's first sound; NULL where there was no such step (a typed question, an
        // answer not spoken or stopped before its first sound).
        {
            QStringLiteral("ALTER TABLE messages ADD COLUMN time_to_transcript_ms REAL"),
            QStringLiteral("ALTER TABLE messages ADD COLUMN time_to_first_sound_ms REAL"),
        },
        // 4: a conversation the user deleted while its undo is offered: hidden from every
        // list, kept whole until the delete is made for good (NULL: not deleted).
        {
            QStringLiteral("ALTER TABLE conversations ADD COLUMN deleted INTEGER"),
        },
    };
    return steps;
}

QString describe(const QSqlError& e) {
    return e.text().trimmed();
}

}  // namespace

int history_schema_version() {
    return static_cast<int>(migrations().size());
}

QString migrate_history_schema(QSqlDatabase& db) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
        return QStringLiteral("Cannot read the schema version: %1").arg(describe(q.lastError()));
    const int current = q.value(0).toInt();
    q.finish();
    if (current > history_schema_version())
        return QStringLiteral(
                   "The history was written by a newer version of Prism (schema %1; this version "
                   "knows up to %2). It was left untouched.")
            .arg(current)
            .arg(history_schema_version());
    for (int version = current + 1; version <= history_schema_version(); ++version) {
        if (!db.transaction())
            return QStringLiteral("Cannot start the schema update: %1")
                .arg(describe(db.lastError()));
        QStringList statements = migrations()[static_cast<std::size_t>(version - 1)];
        statements << QStringLiteral("PRAGMA user_version = %1").arg(version);
        for (const QString& sql : statements) {
            if (!q.exec(sql)) {
                const QString why = describe(q.lastError());
                db.rollback();
                return QStringLiteral("Schema update to version %1 failed: %2")
                    .arg(version)
                    .arg(why);
            }
        }
        if (!db.commit())
            return QStringLiteral("Schema update to version %1 failed: %2")
                .arg(version)
                .arg(describe(db.lastError()));
    }
    return {};
}

}  // namespace prism::ui
