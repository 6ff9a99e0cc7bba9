#pragma once

// What to do with a database file SQLite calls corrupt: keep it (the user's data may still be
// recoverable with other tools) under a new name, and let the caller start a fresh one.

#include <QDateTime>
#include <QSqlError>
#include <QString>

namespace prism::ui {

// Whether an error means the file is damaged or not a database at all (SQLITE_CORRUPT,
// SQLITE_NOTADB), as opposed to locked, read-only or out of space.
bool is_corruption(const QSqlError& error);

// Renames `db_path` (and its -wal and -shm files) to "<db_path>.corrupt-<yyyyMMdd-HHmmss>".
// Returns the new path of the main file, or an empty string when it could not be moved.
QString move_database_aside(const QString& db_path, const QDateTime& now);

}  // namespace prism::ui
