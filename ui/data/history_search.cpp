#include "data/history_search.hpp"

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <algorithm>

namespace prism::ui {

bool sqlite_has_fts5(QSqlDatabase& db) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("CREATE VIRTUAL TABLE temp.prism_fts5_probe USING fts5(x)")))
        return false;
    q.exec(QStringLiteral("DROP TABLE temp.prism_fts5_probe"));
    return true;
}

QString prepare_message_search(QSqlDatabase& db, bool enable) {
    QSqlQuery q(db);
    const QStringList triggers = {QStringLiteral("message_fts_insert"),
                                  QStringLiteral("message_fts_delete"),
                                  QStringLiteral("message_fts_update")};
    if (!enable) {
        for (const QString& t : triggers)
            q.exec(QStringLiteral("DROP TRIGGER IF EXISTS %1").arg(t));
        return {};
    }
    // Triggers missing means the index is new or was left behind by a run without FTS5.
    if (!q.exec(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name "
                               "LIKE 'message_fts_%'")) ||
        !q.next())
        return q.lastError().text();
    const bool in_step = q.value(0).toInt() == static_cast<int>(triggers.size());
    q.finish();
    if (in_step) return {};
    const QStringList statements = {
        QStringLiteral("CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5("
                       "text, content='messages', content_rowid='id',"
                       " tokenize='unicode61 remove_diacritics 2')"),
        QStringLiteral(
            "CREATE TRIGGER IF NOT EXISTS message_fts_insert AFTER INSERT ON messages BEGIN"
            " INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text); END"),
        QStringLiteral(
            "CREATE TRIGGER IF NOT EXISTS message_fts_delete AFTER DELETE ON messages BEGIN"
            " INSERT INTO message_fts(message_fts, rowid, text)"
            " VALUES ('delete', old.id, old.text); END"),
        QStringLiteral(
            "CREATE TRIGGER IF NOT EXISTS message_fts_update AFTER UPDATE OF text ON messages"
            " BEGIN INSERT INTO message_fts(message_fts, rowid, text)"
            " VALUES ('delete', old.id, old.text);"
            " INSERT INTO message_fts(rowid, text) VALUES (new.id, new.text); END"),
        QStringLiteral("INSERT INTO message_fts(message_fts) VALUES ('rebuild')"),
    };
    if (!db.transaction()) return db.lastError().text();
    for (const QString& sql : statements) {
        if (!q.exec(sql)) {
            const QString why = q.lastError().text();
            db.rollback();
            return why;
        }
    }
    return db.commit() ? QString() : db.lastError().text();
}

QString fts_match_expression(const QString& user_query) {
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    QStringList terms;
    for (QString word : user_query.split(spaces, Qt::SkipEmptyParts)) {
        // Words of punctuation only hold no tokens; as phrases they would be syntax errors.
        if (std::none_of(word.begin(), word.end(), [](QChar c) { return c.isLetterOrNumber(); }))
            continue;
        word.replace(QLatin1Char('"'), QLatin1String("\"\""));
        terms << QStringLiteral("\"%1\"*").arg(word);
    }
    return terms.join(QLatin1Char(' '));
}

QString escape_like(const QString& text) {
    QString out;
    out.reserve(text.size());
    for (const QChar c : text) {
        if (c == QLatin1Char('%') || c == QLatin1Char('_') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

}  // namespace prism::ui
