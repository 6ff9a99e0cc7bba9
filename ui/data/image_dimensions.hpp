#pragma once

// Width, height and format of an image from its first bytes, without decoding it (the data
// layer has no QtGui). Knows PNG, JPEG, GIF, BMP and WebP.

#include <QByteArray>
#include <QString>

namespace prism::ui {

struct ImageDimensions {
    QString format;  // "png", "jpg", "gif", "bmp", "webp"; empty when not recognised
    int width = 0;
    int height = 0;
};

ImageDimensions read_image_dimensions(const QByteArray& bytes);

}  // namespace prism::ui
