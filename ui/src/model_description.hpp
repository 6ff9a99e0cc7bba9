#pragma once

// What the model info panel shows, read from the GGUF header and the paired projector's
// (through the data layer's inspector and pairing rules) without loading any weights.
// Blocking file I/O: call it on the engine thread.

#include <QString>

#include "chat_types.hpp"

namespace prism::ui {

// `mmproj_path` empty: the projector beside the model that fits it, if any.
ModelDescription describe_model(const QString& path, const QString& mmproj_path);

// "1.2 MiB", "3.40 GiB".
QString format_bytes(qint64 bytes);

// "0:07", "12:41", "1:02:03": a sound's or a video's length, to the nearest second.
QString format_media_duration(double seconds);

}  // namespace prism::ui
