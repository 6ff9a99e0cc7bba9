#pragma once

// A recorded sound as a file the history can keep and any player can play: 16-bit PCM WAV,
// mono. Live mode stores a spoken question this way.

#include <QByteArray>
#include <QList>
#include <QString>
#include <span>

namespace prism::ui {

// The WAV file's bytes for `samples` (mono, -1..1, clipped beyond) at `sample_rate`.
QByteArray wav_bytes(std::span<const float> samples, int sample_rate);

// Writes `samples` (mono, -1..1, clipped beyond) at `sample_rate` to `path`, replacing it
// atomically. Returns "" or why it failed, naming the file.
QString write_wav_file(const QString& path, const QList<float>& samples, int sample_rate);

}  // namespace prism::ui
