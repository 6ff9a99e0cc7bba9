#pragma once

// Frame helpers for live mode: the encoder's input size read from the projector file, and a
// change detector that tells a new scene from the same scene with sensor noise.

#include <QImage>
#include <QString>
#include <array>
#include <cstdint>

namespace prism::ui {

// The vision encoder's input side in pixels (clip.vision.image_size in the mmproj); frames are
// scaled to this before they travel. `fallback` when the file has no such key or cannot be
// read.
int encoder_input_side(const QString& mmproj_path, int fallback = 512);

class FrameChangeDetector {
  public:
    // `threshold`: mean absolute difference of a 16x16 grey thumbnail, in 0..255 levels.
    explicit FrameChangeDetector(double threshold = 6.0) : threshold_(threshold) {}

    // Whether `frame` differs from the last one accepted (always true before the first).
    bool changed(const QImage& frame) const;
    void accept(const QImage& frame);
    void clear() { has_reference_ = false; }

  private:
    using Thumbnail = std::array<std::uint8_t, 256>;
    static Thumbnail thumbnail(const QImage& frame);

    double threshold_;
    bool has_reference_ = false;
    Thumbnail reference_{};
};

}  // namespace prism::ui
