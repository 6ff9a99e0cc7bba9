#include "speech_synthesis.hpp"

#include <espeak-ng/speak_lib.h>

#include <QCoreApplication>
#include <mutex>

#include "pcm_resample.hpp"

namespace prism::ui {
namespace {

std::mutex& espeak_mutex() {
    static std::mutex m;
    return m;
}

// Filled by espeak-ng's callback during espeak_Synth (synchronous mode: on the caller's thread,
// under espeak_mutex()).
std::vector<std::int16_t>* g_sink = nullptr;

int collect(short* wave, int count, espeak_EVENT*) {
    if (wave && count > 0 && g_sink) g_sink->insert(g_sink->end(), wave, wave + count);
    return 0;  // go on
}

struct Engine {
    int rate = 0;  // espeak-ng's own output rate; 0 when it failed to start
    QString error;
};

// Started once per process, under espeak_mutex(). DONT_EXIT: without it espeak-ng ends the
// whole program when its data folder is missing.
const Engine& engine() {
    static const Engine e = [] {
        Engine out;
        const int rate =
            espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, nullptr, espeakINITIALIZE_DONT_EXIT);
        if (rate <= 0) {
            out.error = QCoreApplication::translate(
                "SpeechSynthesis",
                "Answers cannot be spoken: espeak-ng's voice data is missing (Debian: "
                "espeak-ng-data).");
            return out;
        }
        espeak_SetSynthCallback(collect);
        if (espeak_SetVoiceByName("en") != EE_OK) {
            out.error = QCoreApplication::translate(
                "SpeechSynthesis", "Answers cannot be spoken: espeak-ng has no English voice.");
            return out;
        }
        out.rate = rate;
        return out;
    }();
    return e;
}

}  // namespace

QString speech_synthesis_unavailable() {
    std::lock_guard lock(espeak_mutex());
    return engine().error;
}

SynthesizedSpeech synthesize_speech(const QString& text, int sample_rate) {
    SynthesizedSpeech out;
    out.sample_rate = sample_rate;
    const QByteArray utf8 = text.trimmed().toUtf8();
    if (utf8.isEmpty()) return out;
    std::vector<std::int16_t> voice;
    int voice_rate = 0;
    {
        std::lock_guard lock(espeak_mutex());
        const Engine& e = engine();
        if (e.rate <= 0) {
            out.error = e.error;
            return out;
        }
        voice_rate = e.rate;
        g_sink = &voice;
        const espeak_ERROR status =
            espeak_Synth(utf8.constData(), static_cast<size_t>(utf8.size()) + 1, 0, POS_CHARACTER,
                         0, espeakCHARS_UTF8, nullptr, nullptr);
        espeak_Synchronize();
        g_sink = nullptr;
        if (status != EE_OK) {
            out.error = QCoreApplication::translate("SpeechSynthesis",
                                                    "espeak-ng could not speak the sentence.");
            return out;
        }
    }
    out.samples = resample_pcm(voice, voice_rate, sample_rate);
    return out;
}

}  // namespace prism::ui
