#include "live_frames.hpp"

#include <cmath>
#include <cstdlib>
#include <exception>

#include "prism/gguf.hpp"

namespace prism::ui {

int encoder_input_side(const QString& mmproj_path, int fallback) {
    if (mmproj_path.isEmpty()) return fallback;
    try {
        const gguf::File file = gguf::File::open(mmproj_path.toStdString());
        if (!file.contains("clip.vision.image_size")) return fallback;
        const auto side = file.get_integer<std::int64_t>("clip.vision.image_size");
        if (side >= 16 && side <= 8192) return static_cast<int>(side);
    } catch (const std::exception&) {
        // The engine reports a bad projector when it loads; here the fallback size will do.
    }
    return fallback;
}

FrameChangeDetector::Thumbnail FrameChangeDetector::thumbnail(const QImage& frame) {
    Thumbnail out{};
    const QImage small = frame.scaled(16, 16, Qt::IgnoreAspectRatio, Qt::SmoothTransformation)
                             .convertToFormat(QImage::Format_Grayscale8);
    for (int y = 0; y < 16; ++y) {
        const uchar* row = small.constScanLine(y);
        for (int x = 0; x < 16; ++x) out[static_cast<std::size_t>(y * 16 + x)] = row[x];
    }
    return out;
}

bool FrameChangeDetector::changed(const QImage& frame) const {
    if (!has_reference_) return true;
    const Thumbnail t = thumbnail(frame);
    double sum = 0;
    for (std::size_t i = 0; i < t.size(); ++i)
        sum += std::abs(static_cast<int>(t[i]) - static_cast<int>(reference_[i]));
    return sum / static_cast<double>(t.size()) > threshold_;
}

void FrameChangeDetector::accept(const QImage& frame) {
    reference_ = thumbnail(frame);
    has_reference_ = true;
}

}  // namespace prism::ui
