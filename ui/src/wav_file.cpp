#include "wav_file.hpp"

#include <QSaveFile>
#include <QtEndian>
#include <algorithm>
#include <cmath>

namespace prism::ui {
namespace {

void put_u32(QByteArray& out, quint32 value) {
    char bytes[4];
    qToLittleEndian(value, bytes);
    out.append(bytes, 4);
}

void put_u16(QByteArray& out, quint16 value) {
    char bytes[2];
    qToLittleEndian(value, bytes);
    out.append(bytes, 2);
}

}  // namespace

QByteArray wav_bytes(std::span<const float> samples, int sample_rate) {
    constexpr quint16 kBytesPerSample = 2;
    const auto data_bytes = static_cast<quint32>(samples.size() * kBytesPerSample);
    QByteArray out;
    out.reserve(44 + static_cast<qsizetype>(data_bytes));
    out.append("RIFF", 4);
    put_u32(out, 36 + data_bytes);
    out.append("WAVEfmt ", 8);
    put_u32(out, 16);  // the PCM format chunk's size
    put_u16(out, 1);   // PCM
    put_u16(out, 1);   // mono
    put_u32(out, static_cast<quint32>(sample_rate));
    put_u32(out, static_cast<quint32>(sample_rate) * kBytesPerSample);
    put_u16(out, kBytesPerSample);
    put_u16(out, 8 * kBytesPerSample);
    out.append("data", 4);
    put_u32(out, data_bytes);
    for (const float x : samples) {
        // The scale FFmpeg reads 16-bit samples with (x / 32768), so a sample comes back within
        // half a step.
        const long scaled = std::isfinite(x) ? std::lround(double(x) * 32768.0) : 0;
        const auto clipped = static_cast<qint16>(std::clamp(scaled, -32768L, 32767L));
        put_u16(out, static_cast<quint16>(clipped));
    }
    return out;
}

QString write_wav_file(const QString& path, const QList<float>& samples, int sample_rate) {
    const QByteArray out = wav_bytes(std::span(samples.constData(), samples.size()), sample_rate);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(out) != out.size() || !file.commit())
        return QStringLiteral("%1: cannot write the recording: %2").arg(path, file.errorString());
    return {};
}

}  // namespace prism::ui
