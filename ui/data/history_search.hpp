#pragma once

// Full-text search over message text. Uses an FTS5 index kept in step by triggers when the
// SQLite Qt links has FTS5 (checked at run time), and plain LIKE otherwise. The index is not
// part of the versioned schema: it is derived data, created, rebuilt or dropped at open.

#include <QSqlDatabase>
#include <QString>

namespace prism::ui {

// Whether this SQLite can create FTS5 tables.
bool sqlite_has_fts5(QSqlDatabase& db);

// With `enable`, creates the index and its triggers when missing (and fills it from the
// messages); without, drops the triggers so that writes never need the FTS5 module. Returns
// an empty string on success, else the reason.
QString prepare_message_search(QSqlDatabase& db, bool enable);

// An FTS5 MATCH expression for what the user typed: every word must occur, each as a prefix,
// with FTS5's syntax characters taken literally. Empty when there are no words (words of
// punctuation alone are dropped).
QString fts_match_expression(const QString& user_query);

// `text` with LIKE's wildcards escaped by a backslash (use ESCAPE '\').
QString escape_like(const QString& text);

}  // namespace prism::ui
