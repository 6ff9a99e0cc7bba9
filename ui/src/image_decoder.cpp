#include "image_decoder.hpp"

#include <QBuffer>
#include <QFile>
#include <QFileInfo>
#include <exception>

#include "data/file_bytes.hpp"
#include "prism/media/image.hpp"

namespace prism::ui {
namespace {

// Larger files are refused before reading: nothing a vision encoder takes needs more.
constexpr qint64 max_file_bytes = 64ll << 20;

QImage make_thumbnail(const QImage& image) {
    if (image.width() <= thumbnail_size && image.height() <= thumbnail_size) return image;
    return image.scaled(thumbnail_size, thumbnail_size, Qt::KeepAspectRatio,
                        Qt::SmoothTransformation);
}

}  // namespace

DecodedImage decode_image_bytes(const QByteArray& bytes, const QString& name) {
    DecodedImage out;
    media::Image image;
    try {
        image = media::decode_image_memory(
            std::span(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                      static_cast<std::size_t>(bytes.size())),
            name.toStdString());
    } catch (const std::exception& e) {
        out.error = QString::fromUtf8(e.what());
        return out;
    }
    const QImage rgb(image.rgb.data(), image.width, image.height, image.width * 3,
                     QImage::Format_RGB888);
    out.attachment.name = name;
    out.attachment.bytes = bytes;
    out.attachment.size = QSize(image.width, image.height);
    out.thumbnail = make_thumbnail(rgb).copy();  // detached from `image`, which goes away
    return out;
}

DecodedImage decode_image_file(const QString& path) {
    const FileBytes file = read_file_bytes(path, max_file_bytes);
    if (!file.error.isEmpty()) {
        DecodedImage out;
        out.error = file.error;
        return out;
    }
    DecodedImage out = decode_image_bytes(file.bytes, QFileInfo(path).fileName());
    out.attachment.path = path;
    return out;
}

DecodedImage encode_pasted_image(const QImage& image, const QString& save_as) {
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, "PNG")) {
        DecodedImage out;
        out.error = QObject::tr("The clipboard image could not be read.");
        return out;
    }
    DecodedImage out = decode_image_bytes(png, QObject::tr("pasted image.png"));
    QFile file(save_as);
    if (out.error.isEmpty() &&
        (!file.open(QIODevice::WriteOnly) || file.write(png) != png.size())) {
        out.error = QObject::tr("The pasted image could not be saved: %1").arg(file.errorString());
    }
    out.attachment.path = save_as;
    return out;
}

}  // namespace prism::ui
