#include "data/database_recovery.hpp"

#include <QFile>

namespace prism::ui {

bool is_corruption(const QSqlError& error) {
    bool ok = false;
    const int code = error.nativeErrorCode().toInt(&ok);
    // Primary codes; extended ones carry them in the low byte.
    constexpr int kCorrupt = 11;
    constexpr int kNotADatabase = 26;
    if (ok && ((code & 0xFF) == kCorrupt || (code & 0xFF) == kNotADatabase)) return true;
    const QString text = error.databaseText();
    return text.contains(QLatin1String("malformed")) ||
           text.contains(QLatin1String("not a database"));
}

QString move_database_aside(const QString& db_path, const QDateTime& now) {
    const QString stamp = now.toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString target = QStringLiteral("%1.corrupt-%2").arg(db_path, stamp);
    for (int n = 2; QFile::exists(target); ++n)
        target = QStringLiteral("%1.corrupt-%2-%3").arg(db_path, stamp).arg(n);
    if (!QFile::rename(db_path, target)) return {};
    // The journal files belong to the damaged database; a fresh one must not pick them up.
    for (const char* suffix : {"-wal", "-shm"}) {
        const QString side = db_path + QLatin1String(suffix);
        if (QFile::exists(side)) QFile::rename(side, target + QLatin1String(suffix));
    }
    return target;
}

}  // namespace prism::ui
