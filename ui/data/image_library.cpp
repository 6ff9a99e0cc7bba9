#include "data/image_library.hpp"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

#include "data/file_bytes.hpp"
#include "data/image_dimensions.hpp"

namespace prism::ui {
namespace {

// Larger files are surely not meant as a chat attachment; reading them whole would stall.
constexpr qint64 kMaxImageBytes = 256LL * 1024 * 1024;

QString extension_for(const QString& source, const QString& detected_format) {
    if (!detected_format.isEmpty()) return detected_format;
    static const QRegularExpression safe(QStringLiteral("^[a-z0-9]{1,8}$"));
    const QString suffix = QFileInfo(source).suffix().toLower();
    return safe.match(suffix).hasMatch() ? suffix : QStringLiteral("bin");
}

}  // namespace

ImportedImage ImageLibrary::import(const QString& source) const {
    ImportedImage out;
    out.original_name = QFileInfo(source).fileName();
    const FileBytes read = read_file_bytes(source, kMaxImageBytes);
    if (!read.error.isEmpty()) {
        out.error = read.error;
        return out;
    }
    const QByteArray& bytes = read.bytes;
    const ImageDimensions dims = read_image_dimensions(bytes);
    out.width = dims.width;
    out.height = dims.height;
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
    const QString relative =
        QStringLiteral("images/%1.%2").arg(hash, extension_for(source, dims.format));
    const QString target = absolute_path(relative);
    if (QFileInfo(target).size() == bytes.size()) {
        out.relative_path = relative;
        return out;
    }
    if (!QDir().mkpath(QFileInfo(target).path())) {
        out.error = QStringLiteral("Cannot create the folder %1").arg(QFileInfo(target).path());
        return out;
    }
    QSaveFile file(target);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        out.error = QStringLiteral("Cannot store %1 in %2: %3")
                        .arg(out.original_name, QFileInfo(target).path(), file.errorString());
        return out;
    }
    out.relative_path = relative;
    out.newly_stored = true;
    return out;
}

QString ImageLibrary::absolute_path(const QString& relative_path) const {
    return QDir(root_).filePath(relative_path);
}

bool ImageLibrary::remove(const QString& relative_path) const {
    if (!relative_path.startsWith(QLatin1String("images/")) ||
        relative_path.contains(QLatin1String("..")))
        return false;
    return QFile::remove(absolute_path(relative_path));
}

}  // namespace prism::ui
