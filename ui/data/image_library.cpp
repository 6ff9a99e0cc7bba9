#include "data/image_library.hpp"

#include <unistd.h>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryFile>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <optional>

#include "data/image_dimensions.hpp"
#include "prism/regular_file.hpp"

namespace prism::ui {
namespace {

// Larger files are surely not meant as a chat attachment.
constexpr qint64 kMaxImageBytes = 256LL * 1024 * 1024;
constexpr qsizetype kChunkBytes = 1 << 20;
// An image's size is in its first bytes (a JPEG's after its metadata segments, each < 64 KiB).
constexpr qsizetype kHeadBytes = 1 << 20;

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
    // Streamed in pieces through the hash into a temporary file beside the target, so that
    // memory stays small for a 256 MiB video; RegularFile refuses FIFOs and devices unopened.
    std::optional<RegularFile> file;
    try {
        file.emplace(QFile::encodeName(source).toStdString());
    } catch (const std::exception& e) {
        out.error = QString::fromUtf8(e.what());
        return out;
    }
    if (file->size() > static_cast<std::uint64_t>(kMaxImageBytes)) {
        out.error = QStringLiteral("%1: the file is %2 bytes, over the limit of %3 bytes")
                        .arg(source)
                        .arg(file->size())
                        .arg(kMaxImageBytes);
        return out;
    }
    const QString folder = absolute_path(QStringLiteral("images"));
    const auto cannot_store = [&](const QString& why) {
        out.error = QStringLiteral("Cannot store %1 in %2: %3").arg(out.original_name, folder, why);
        return out;
    };
    if (!QDir().mkpath(folder)) return cannot_store(QStringLiteral("cannot create the folder"));
    QTemporaryFile copy(QDir(folder).filePath(QStringLiteral(".import-XXXXXX")));
    if (!copy.open()) return cannot_store(copy.errorString());
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray head;  // enough of the start for an image's size and format
    QByteArray chunk(kChunkBytes, Qt::Uninitialized);
    qint64 total = 0;
    for (;;) {
        const ssize_t n = ::read(file->descriptor(), chunk.data(), kChunkBytes);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            out.error = QStringLiteral("%1: cannot read: %2").arg(source, qt_error_string(errno));
            return out;
        }
        if (n == 0) break;
        total += n;
        if (total > kMaxImageBytes) {
            out.error = QStringLiteral(
                            "%1: the file grew past the limit of %2 bytes while it "
                            "was read")
                            .arg(source)
                            .arg(kMaxImageBytes);
            return out;
        }
        const QByteArrayView piece(chunk.constData(), n);
        hash.addData(piece);
        if (head.size() < kHeadBytes) head.append(piece.first(std::min<qsizetype>(n, kHeadBytes)));
        if (copy.write(piece.data(), n) != n) return cannot_store(copy.errorString());
    }
    if (!copy.flush()) return cannot_store(copy.errorString());
    const ImageDimensions dims = read_image_dimensions(head);
    out.width = dims.width;
    out.height = dims.height;
    const QString relative =
        QStringLiteral("images/%1.%2")
            .arg(QString::fromLatin1(hash.result().toHex()), extension_for(source, dims.format));
    const QString target = absolute_path(relative);
    out.relative_path = relative;
    if (QFileInfo(target).size() == total) return out;  // stored before; the copy goes
    QFile::remove(target);                              // a damaged earlier copy
    copy.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                        QFileDevice::ReadOther);
    if (!copy.rename(target)) {
        out.relative_path.clear();
        return cannot_store(copy.errorString());
    }
    copy.setAutoRemove(false);
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
