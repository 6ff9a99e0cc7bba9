#pragma once

// Sounds and videos attached in the composer: the engine's probe (prism/media/probe.hpp) gives
// a file's kind and length from its container, and a video's poster is its picture half way
// in, decoded by the engine's video decoder. Blocking: run these off the UI thread
// (ChatController uses QtConcurrent).

#include <QImage>
#include <QString>

#include "image_decoder.hpp"

namespace prism::ui {

// Whether a file's name says sound or video (its content decides which of the two); anything
// else is attached as an image.
bool is_media_file_name(const QString& path);

// The file as an audio or video attachment with its length and, for a video, its poster as
// the thumbnail; or the error line (file name and problem) when it is neither or broken.
DecodedImage decode_media_file(const QString& path);

// A video's poster: the picture half way in (the first one for a clip of one picture), at
// most thumbnail_size on its longer side; null when it cannot be decoded.
QImage decode_video_poster(const QString& path);

// Any attachment by file: a sound or a video (by name), else an image.
DecodedImage decode_attachment_file(const QString& path);

}  // namespace prism::ui
