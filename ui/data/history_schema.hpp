#pragma once

// The conversation database's schema and its migrations. The schema version is SQLite's
// PRAGMA user_version; each migration runs in one transaction that also bumps the version, so
// a crash leaves the database at the old or the new version, never in between.

#include <QSqlDatabase>
#include <QString>

namespace prism::ui {

// The version this build writes.
int history_schema_version();

// Brings the database up to history_schema_version(). Returns an empty string on success or
// the reason (a database from a newer Prism is refused, not touched).
QString migrate_history_schema(QSqlDatabase& db);

}  // namespace prism::ui
