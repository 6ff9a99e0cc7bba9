// prism-bench vad: CPU time of Silero VAD per 32-ms window, the number that says whether it
// can run beside a generating model on every window of a live microphone.

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/vad.hpp"

namespace prism::bench {
namespace {

void vad_usage() {
    std::fputs(
        "usage: prism-bench vad [-m SILERO.bin] [--audio FILE] [-r 5] [--json]\n"
        "  -m, --model FILE   Silero VAD model (default tests/data/vad/silero-v6.2.0-ggml.bin)\n"
        "  --audio FILE       sound to run on (default tests/data/audio/jfk.wav)\n"
        "  -r N               repetitions over the whole sound (default 5)\n"
        "  --json             one JSON object instead of a table\n"
        "Run from the repository root for the defaults. Times are the thread's CPU time and\n"
        "wall time per 512-sample window, streaming in 512-sample pushes.\n",
        stdout);
}

}  // namespace

int vad_command(const std::vector<std::string>& args) {
    std::string model = "tests/data/vad/silero-v6.2.0-ggml.bin";
    std::string audio_path = "tests/data/audio/jfk.wav";
    std::int64_t repetitions = 5;
    bool json = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            vad_usage();
            return 0;
        }
        if (a == "--json") {
            json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("vad: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "-m" || a == "--model")
            model = v;
        else if (a == "--audio")
            audio_path = v;
        else if (a == "-r" || a == "--repetitions")
            repetitions = app::integer_flag(a, v);
        else
            throw Error("vad: unknown option '" + a + "' (see prism-bench vad --help)");
    }
    vad::VoiceActivityDetector detector = vad::VoiceActivityDetector::load(model);
    const media::Audio audio = media::decode_audio_file(audio_path);
    const std::size_t windows = audio.samples.size() / vad::window_samples;
    if (windows == 0) throw Error(audio_path + ": shorter than one window (32 ms)");

    // One untimed pass warms the caches, then each repetition streams the whole sound.
    detector.push(audio.samples);
    detector.reset();
    std::vector<double> cpu_us, wall_us;
    volatile float sink = 0;
    for (std::int64_t r = 0; r < repetitions; ++r) {
        const double cpu0 = thread_cpu_seconds();
        const double wall = seconds([&] {
            for (std::size_t w = 0; w < windows; ++w) {
                const auto window =
                    std::span(audio.samples).subspan(w * vad::window_samples, vad::window_samples);
                for (const float p : detector.push(window)) sink = sink + p;
            }
        });
        cpu_us.push_back((thread_cpu_seconds() - cpu0) / static_cast<double>(windows) * 1e6);
        wall_us.push_back(wall / static_cast<double>(windows) * 1e6);
        detector.reset();
    }
    const Stats cpu = stats(cpu_us), elapsed = stats(wall_us);
    const double budget_us = 1e6 * vad::window_samples / vad::sample_rate;
    if (json) {
        std::printf(
            "{\"bench\": \"vad\", \"model\": \"%s\", \"audio\": \"%s\", \"windows\": %zu, "
            "\"repetitions\": %lld, \"cpu_us_per_window\": %.2f, \"cpu_us_sd\": %.2f, "
            "\"wall_us_per_window\": %.2f, \"wall_us_sd\": %.2f, \"realtime_share\": %.5f}\n",
            model.c_str(), audio_path.c_str(), windows, static_cast<long long>(repetitions),
            cpu.mean, cpu.sd, elapsed.mean, elapsed.sd, cpu.mean / budget_us);
    } else {
        std::printf("Silero VAD %s on %s: %zu windows x %lld repetitions, one thread\n",
                    detector.version().c_str(), audio_path.c_str(), windows,
                    static_cast<long long>(repetitions));
        std::printf("  CPU time per window:  %8.1f us  (sd %.1f)\n", cpu.mean, cpu.sd);
        std::printf("  wall time per window: %8.1f us  (sd %.1f)\n", elapsed.mean, elapsed.sd);
        std::printf("  share of real time:   %8.2f %%  (a window is %.0f us of sound)\n",
                    100 * cpu.mean / budget_us, budget_us);
    }
    return 0;
}

}  // namespace prism::bench
