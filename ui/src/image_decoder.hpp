#pragma once

// Checks that an attached file or pasted image really is an image by decoding it, and makes the
// thumbnail the views show. Blocking: run it off the UI thread (ChatController uses
// QtConcurrent).
//
// Decoding uses QImageReader until the engine's media decoder (prism/media/image.hpp, branch
// media) is merged; then the check must use the engine's decoder so that what the app accepts
// is exactly what the vision encoder can read.

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
