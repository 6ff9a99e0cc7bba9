#pragma once

// Reading a user-chosen file whole, safely: only a regular file is read (a FIFO or a device is
// refused by its kind, without blocking or reading without end) and at most a given number of
// bytes.

#include <QByteArray>
#include <QString>

namespace prism::ui {

struct FileBytes {
    QByteArray bytes;
    QString error;  // "<path>: <problem>" on failure, else empty
};

FileBytes read_file_bytes(const QString& path, qint64 max_bytes);

}  // namespace prism::ui
