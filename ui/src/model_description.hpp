#pragma once

// What the model info panel shows, read from the GGUF header (and the paired mmproj's) without
// loading any weights. Blocking file I/O: call it on the engine thread.

#include <QString>

#include "chat_types.hpp"

namespace prism::ui {

// Throws prism::Error (FormatError for a file that is not GGUF) like the engine does.
ModelDescription describe_model(const QString& path, const QString& mmproj_path);

// "1.2 MiB", "3.40 GiB".
QString format_bytes(qint64 bytes);

}  // namespace prism::ui
