#pragma once

// Text to sound with espeak-ng's C library, in this process, so that Prism holds every sample
// it plays: the echo canceller needs them as its far-end reference, which a speech service
// that plays by itself (Qt TextToSpeech 6.4) never hands out.

#include <QString>
#include <cstdint>
#include <vector>

namespace prism::ui {

struct SynthesizedSpeech {
    std::vector<std::int16_t> samples;  // mono
    int sample_rate = 0;
    QString error;  // why nothing was synthesized ("" on success)
};

// Speaks `text` (UTF-8 plain text, English voice) at `sample_rate` Hz. Any thread; calls are
// serialised, as espeak-ng keeps one global state. Empty text gives no samples and no error.
SynthesizedSpeech synthesize_speech(const QString& text, int sample_rate);

// Why espeak-ng cannot speak here ("" when it can): its voice data is missing or unreadable.
QString speech_synthesis_unavailable();

}  // namespace prism::ui
