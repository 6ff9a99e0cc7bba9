#pragma once

// Checks that an attached file or pasted image really is an image by decoding it with the
// engine's decoder (prism/media/image.hpp), so that the app accepts exactly what the vision
// encoder can read and shows the engine's error text otherwise, and makes the thumbnail the
// views show from the same pixels (EXIF orientation applied). Blocking: run it off the UI
// thread (ChatController uses QtConcurrent).

#include <QByteArray>
#include <QImage>
#include <QString>

#include "chat_types.hpp"

namespace prism::ui {

struct DecodedImage {
    ImageAttachment attachment;  // id left empty; the caller assigns it
    QImage thumbnail;
    QString error;  // non-empty when the bytes are not an image we can read
};

// The longest side of a thumbnail, in pixels.
inline constexpr int thumbnail_size = 320;

DecodedImage decode_image_bytes(const QByteArray& bytes, const QString& name);
DecodedImage decode_image_file(const QString& path);
// A clipboard image, encoded as PNG and written to `save_as` (so that it can be kept like a file).
DecodedImage encode_pasted_image(const QImage& image, const QString& save_as);

}  // namespace prism::ui
