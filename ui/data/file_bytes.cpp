#include "data/file_bytes.hpp"

#include <QFile>
#include <cstdint>
#include <exception>
#include <vector>

#include "prism/regular_file.hpp"

namespace prism::ui {

FileBytes read_file_bytes(const QString& path, qint64 max_bytes) {
    FileBytes out;
    try {
        const std::vector<std::uint8_t> data = read_regular_file(
            QFile::encodeName(path).toStdString(), static_cast<std::uint64_t>(max_bytes));
        out.bytes = QByteArray(reinterpret_cast<const char*>(data.data()),
                               static_cast<qsizetype>(data.size()));
    } catch (const std::exception& e) {
        out.error = QString::fromUtf8(e.what());
    }
    return out;
}

}  // namespace prism::ui
