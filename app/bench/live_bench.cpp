// prism-bench live: the live assistant's turn latency, on files. A speech clip plays at its own
// pace into live mode (hands-free: Silero VAD, Whisper, the loaded model, spoken answers through
// espeak-ng into a memory speaker that plays in real time), as the app runs with a microphone;
// each run reports the turn's own figures, from the moment the detector ended the turn (the
// end-of-turn silence after the last word): Whisper's transcript, the first token, the first
// sound. Built only with the app's library (PRISM_BUILD_UI).

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <QThread>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app_context.hpp"
#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "capture_file_sources.hpp"
#include "common/number_flags.hpp"
#include "common/vad_model_path.hpp"
#include "engine_controller.hpp"
#include "live_controller.hpp"
#include "live_settings.hpp"
#include "live_speech_output.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "speaker_sink.hpp"

namespace prism::bench {
namespace {

struct LiveOptions {
    std::string model, mmproj, whisper, vad, clip = "tests/data/audio/4507-16021-0012.wav";
    std::int64_t reps = 3;
};

void live_usage(std::FILE* to) {
    std::fputs(
        "usage: prism-bench live -m MODEL.gguf [--mmproj MMPROJ.gguf] -w WHISPER.gguf\n"
        "                        [--clip PATH] [--vad SILERO.bin] [-r 3]\n"
        "  --clip PATH   the spoken question (default: tests/data/audio/4507-16021-0012.wav,\n"
        "                run from the repository root)\n"
        "  -r N          runs after one warm-up run\n",
        to);
}

// Runs the event loop until `done` or the timeout; false on timeout.
bool wait_for(const std::function<bool()>& done, int timeout_ms) {
    QDeadlineTimer deadline(timeout_ms);
    while (!done()) {
        if (deadline.hasExpired()) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::msleep(1);
    }
    return true;
}

}  // namespace

int live_command(const std::vector<std::string>& args) {
    LiveOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw Error("live: " + a + " needs a value");
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            live_usage(stdout);
            return 0;
        } else if (a == "-m" || a == "--model") {
            o.model = value();
        } else if (a == "--mmproj") {
            o.mmproj = value();
        } else if (a == "-w" || a == "--whisper") {
            o.whisper = value();
        } else if (a == "--vad") {
            o.vad = value();
        } else if (a == "--clip") {
            o.clip = value();
        } else if (a == "-r" || a == "--repetitions") {
            o.reps = app::integer_flag(a, value());
        } else {
            live_usage(stderr);
            return 2;
        }
    }
    if (o.model.empty()) throw Error("live: no model (-m MODEL.gguf)");
    if (o.whisper.empty()) throw Error("live: no Whisper model (-w WHISPER.gguf)");
    if (o.reps > 100) throw Error("live: -r: at most 100 runs (each takes seconds to minutes)");
    if (o.vad.empty()) o.vad = app::default_vad_model().string();
    // A clip that cannot be decoded is refused here, with the decoder's line naming it.
    media::decode_audio_file(o.clip);

    // Offscreen: the bench shows no window; the app's objects need a GUI application.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1;
    char name[] = "prism-bench";
    char* argv[] = {name, nullptr};
    QGuiApplication qt(argc, argv);
    QTemporaryDir profile;
    if (!profile.isValid()) throw Error("live: cannot make a temporary folder");
    ui::AppOptions options;
    options.settings_file = profile.filePath(QStringLiteral("prism.conf"));
    options.data_folder = profile.filePath(QStringLiteral("data"));
    options.model_folders = {profile.filePath(QStringLiteral("models"))};
    ui::AppContext app(options);
    app.settings().setTemperature(0.0);
    app.live_settings().setSpeechModel(QString::fromStdString(o.whisper));
    app.live_settings().setVadModel(QString::fromStdString(o.vad));
    app.live_settings().setSpeakAnswers(true);
    QString load_error;
    QObject::connect(&app.engine(), &ui::EngineController::loadFailed,
                     [&load_error](const QString& error) { load_error = error; });
    app.engine().loadModel(QString::fromStdString(o.model), QString::fromStdString(o.mmproj));
    if (!wait_for([&] { return app.engine().modelLoaded() || !load_error.isEmpty(); }, 300000) ||
        !app.engine().modelLoaded())
        throw Error("live: the model did not load: " + load_error.toStdString());

    ui::LiveController& live = app.live();
    auto sound = std::make_unique<ui::FileSampleSource>(ui::Pace::real_time);
    sound->set_silence_when_idle(true);
    ui::FileSampleSource* microphone = sound.get();
    live.set_sources(nullptr, std::move(sound));
    auto speaker = std::make_unique<ui::MemorySpeakerSink>(ui::MemorySpeakerSink::Pace::real_time);
    live.set_speech_output(std::make_unique<ui::SynthesizedSpeechOutput>(std::move(speaker)));

    std::printf("model: %s\nclip: %s\n", o.model.c_str(), o.clip.c_str());
    std::printf("%-6s %14s %14s %14s\n", "run", "transcript ms", "first token ms",
                "first sound ms");
    std::vector<double> transcript, token, sound_ms;
    for (std::int64_t run = 0; run <= o.reps; ++run) {
        live.start();
        // The last run's answer, stopped, ends first; then the session starts without it.
        if (!wait_for([&] { return live.hands_free_ready() && live.requests_in_flight() == 0; },
                      60000))
            throw Error("live: the voice activity model did not load: " +
                        live.notices().join(QStringLiteral("; ")).toStdString());
        const int turns = live.turnCount();
        microphone->play(QString::fromStdString(o.clip));
        // Any notice (a model that did not load, a question heard but not understood) ends the
        // run: with files and a memory speaker a sound turn has nothing to report.
        const bool heard = wait_for(
            [&] {
                return !live.notices().isEmpty() ||
                       (live.turnCount() > turns &&
                        live.turns().back().latency.first_sound_ms >= 0);
            },
            300000);
        if (!heard || !live.notices().isEmpty())
            throw Error("live: no spoken answer" +
                        (live.notices().isEmpty()
                             ? std::string(" within 5 minutes")
                             : ": " + live.notices().join(QStringLiteral("; ")).toStdString()));
        const ui::LiveLatency l = live.turns().back().latency;
        live.stop();
        std::printf("%-6s %14.0f %14.0f %14.0f\n",
                    run == 0 ? "warmup" : std::to_string(run).c_str(), l.transcript_ms,
                    l.first_token_ms, l.first_sound_ms);
        if (run == 0) continue;
        transcript.push_back(l.transcript_ms);
        token.push_back(l.first_token_ms);
        sound_ms.push_back(l.first_sound_ms);
    }
    const Stats t = stats(transcript), f = stats(token), s = stats(sound_ms);
    std::printf("%-6s %7.0f ± %-5.0f %7.0f ± %-5.0f %7.0f ± %-5.0f\n", "mean", t.mean, t.sd, f.mean,
                f.sd, s.mean, s.sd);
    return 0;
}

}  // namespace prism::bench
