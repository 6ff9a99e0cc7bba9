// prism-bench aec: the CPU cost of live mode's echo canceller (speexdsp's adaptive filter and
// preprocessor at 16 kHz in 256-sample frames, with the double-talk check while it learns),
// run over spoken answers (espeak-ng) through the simulated room its tests use. The number
// that says whether it can run beside a generating model on every frame of a live microphone.
// Built only with the app's library (PRISM_BUILD_UI).

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include <QString>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "live_echo_canceller.hpp"
#include "live_echo_room.hpp"
#include "prism/error.hpp"
#include "speech_synthesis.hpp"

namespace prism::bench {
namespace {

void aec_usage() {
    std::fputs(
        "usage: prism-bench aec [--seconds 60] [--tail-ms 200] [-r 5] [--room MS,GAIN ...]\n"
        "                       [--json]\n"
        "  --seconds N   sound per repetition: spoken answers (espeak-ng) played into a simulated\n"
        "                room (55-ms delay, gain 0.45, reflections over 60 ms, hiss) (default 60)\n"
        "  --tail-ms N   the echo tail the canceller models (default 200, as live mode)\n"
        "  -r N          repetitions, each with a fresh canceller that learns the room (default "
        "5)\n"
        "  --room MS,GAIN  also how the canceller hears the echo alone in a room of that delay\n"
        "                and direct-sound gain (repeatable): frames of echo taken for the user\n"
        "                while it learns (each one a step toward a false barge-in), the echo's\n"
        "                closest approach to that threshold, when it learned, and the echo left\n"
        "                after that\n"
        "  --json        one JSON object per line instead of a table\n"
        "Times are the thread's CPU time and wall time per 16-ms frame.\n",
        stdout);
}

// Sentences of an answer, again and again, to `seconds` of sound.
std::vector<std::int16_t> spoken_answers(std::int64_t seconds) {
    const ui::SynthesizedSpeech speech = ui::synthesize_speech(
        QStringLiteral("I can see a red cup on a wooden table. There is a window behind it, and "
                       "the light comes from the left. Would you like me to describe the room "
                       "in more detail?"),
        ui::EchoCanceller::kSampleRate);
    if (!speech.error.isEmpty()) throw Error("aec: " + speech.error.toStdString());
    if (speech.samples.empty()) throw Error("aec: espeak-ng gave no sound");
    const std::size_t wanted = static_cast<std::size_t>(seconds) * ui::EchoCanceller::kSampleRate;
    std::vector<std::int16_t> played;
    played.reserve(wanted + speech.samples.size());
    while (played.size() < wanted)
        played.insert(played.end(), speech.samples.begin(), speech.samples.end());
    played.resize(wanted);
    return played;
}

// The baseline: speexdsp's own two calls per frame (adaptive filter, then the preprocessor
// with its residual echo suppression), without the canceller around them.
struct SpeexAlone {
    std::unique_ptr<SpeexEchoState, decltype(&speex_echo_state_destroy)> echo;
    std::unique_ptr<SpeexPreprocessState, decltype(&speex_preprocess_state_destroy)> preprocess;

    explicit SpeexAlone(int tail_ms)
        : echo(speex_echo_state_init(ui::EchoCanceller::kFrameSamples,
                                     tail_ms * ui::EchoCanceller::kSampleRate / 1000),
               speex_echo_state_destroy),
          preprocess(speex_preprocess_state_init(ui::EchoCanceller::kFrameSamples,
                                                 ui::EchoCanceller::kSampleRate),
                     speex_preprocess_state_destroy) {
        if (!echo || !preprocess) throw Error("aec: speexdsp could not allocate its state");
        int rate = ui::EchoCanceller::kSampleRate;
        speex_echo_ctl(echo.get(), SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
        speex_preprocess_ctl(preprocess.get(), SPEEX_PREPROCESS_SET_ECHO_STATE, echo.get());
    }
    void process_frame(std::span<const std::int16_t> mic, std::span<const std::int16_t> far,
                       std::span<std::int16_t> out) {
        speex_echo_cancellation(echo.get(), mic.data(), far.data(), out.data());
        speex_preprocess_run(preprocess.get(), out.data());
    }
};

struct FrameTimes {
    Stats cpu_us, wall_us;
};

// Each repetition runs a fresh `Canceller` over the whole sound, frame by frame.
template <typename Canceller>
FrameTimes time_frames(std::span<const std::int16_t> mic, std::span<const std::int16_t> far,
                       int tail_ms, std::int64_t repetitions) {
    constexpr std::size_t kFrame = ui::EchoCanceller::kFrameSamples;
    const std::size_t frames = mic.size() / kFrame;
    std::vector<double> cpu_us, wall_us;
    std::vector<std::int16_t> out(kFrame);
    volatile long sink = 0;
    for (std::int64_t r = 0; r < repetitions; ++r) {
        Canceller canceller(tail_ms);
        const double cpu0 = thread_cpu_seconds();
        const double wall = seconds([&] {
            for (std::size_t f = 0; f < frames; ++f) {
                canceller.process_frame(mic.subspan(f * kFrame, kFrame),
                                        far.subspan(f * kFrame, kFrame), out);
                sink = sink + out[0];
            }
        });
        cpu_us.push_back((thread_cpu_seconds() - cpu0) / static_cast<double>(frames) * 1e6);
        wall_us.push_back(wall / static_cast<double>(frames) * 1e6);
    }
    return {stats(cpu_us), stats(wall_us)};
}

struct Room {
    int delay_ms = 55;
    double gain = 0.45;
};

Room parse_room(const std::string& value) {
    const auto comma = value.find(',');
    if (comma == std::string::npos) throw Error("aec: --room wants MS,GAIN, got '" + value + "'");
    Room r;
    try {
        std::size_t used = 0;
        const std::string delay = value.substr(0, comma), gain = value.substr(comma + 1);
        r.delay_ms = std::stoi(delay, &used);
        if (used != delay.size()) throw std::invalid_argument("trailing");
        r.gain = std::stod(gain, &used);
        if (used != gain.size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
        throw Error("aec: --room wants MS,GAIN (an integer and a number), got '" + value + "'");
    }
    if (r.delay_ms < 0 || r.delay_ms > 1000 || !(r.gain > 0 && r.gain <= 4))
        throw Error("aec: --room wants a delay of 0-1000 ms and a gain in (0, 4]");
    return r;
}

// The echo alone through one room: what the double-talk check and the filter made of it.
struct RoomResult {
    std::int64_t user_frames = 0;  // echo frames taken for the user while learning
    double closest_db = 0;         // the echo's closest approach to the user threshold
    double learned_s = -1;         // when the canceller left learning (-1: never)
    double left_db = 0;            // echo energy in over energy out, after learning
};

RoomResult hear_room(const std::vector<std::int16_t>& played, const Room& room, int tail_ms) {
    const std::vector<std::int16_t> mic =
        ui::room_pcm(ui::room_microphone(played, room.delay_ms, room.gain));
    constexpr std::size_t kFrame = ui::EchoCanceller::kFrameSamples;
    ui::EchoCanceller canceller(tail_ms);
    std::vector<std::int16_t> out(kFrame);
    RoomResult r;
    double in_energy = 0, out_energy = 0;
    for (std::size_t f = 0; f * kFrame + kFrame <= mic.size(); ++f) {
        const auto m = std::span(mic).subspan(f * kFrame, kFrame);
        canceller.process_frame(m, std::span(played).subspan(f * kFrame, kFrame), out);
        if (canceller.learning()) continue;
        if (r.learned_s < 0)
            r.learned_s = static_cast<double>(f * kFrame) / ui::EchoCanceller::kSampleRate;
        for (std::size_t i = 0; i < kFrame; ++i) {
            in_energy += double(m[i]) * m[i];
            out_energy += double(out[i]) * out[i];
        }
    }
    r.user_frames = canceller.user_frames();
    r.closest_db = canceller.closest_to_user_db();
    r.left_db = out_energy > 0 ? 10 * std::log10(in_energy / out_energy) : 0;
    return r;
}

}  // namespace

int aec_command(const std::vector<std::string>& args) {
    std::int64_t seconds_of_sound = 60;
    std::int64_t tail_ms = ui::EchoCanceller::kDefaultTailMs;
    std::int64_t repetitions = 5;
    bool json = false;
    std::vector<Room> rooms;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            aec_usage();
            return 0;
        }
        if (a == "--json") {
            json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("aec: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "--seconds")
            seconds_of_sound = app::integer_flag(a, v);
        else if (a == "--tail-ms")
            tail_ms = app::integer_flag(a, v);
        else if (a == "-r" || a == "--repetitions")
            repetitions = app::integer_flag(a, v);
        else if (a == "--room")
            rooms.push_back(parse_room(v));
        else
            throw Error("aec: unknown option '" + a + "' (see prism-bench aec --help)");
    }
    const std::vector<std::int16_t> played = spoken_answers(seconds_of_sound);
    const std::vector<std::int16_t> mic = ui::room_pcm(ui::room_microphone(played));
    const std::span<const std::int16_t> far(played.data(), mic.size());
    constexpr std::size_t kFrame = ui::EchoCanceller::kFrameSamples;
    const std::size_t frames = mic.size() / kFrame;
    const int tail = static_cast<int>(tail_ms);
    const FrameTimes baseline = time_frames<SpeexAlone>(mic, far, tail, repetitions);
    const FrameTimes measured = time_frames<ui::EchoCanceller>(mic, far, tail, repetitions);
    const Stats &cpu = measured.cpu_us, &elapsed = measured.wall_us;
    const double frame_us = 1e6 * kFrame / ui::EchoCanceller::kSampleRate;
    if (json) {
        std::printf(
            "{\"bench\": \"aec\", \"seconds\": %lld, \"tail_ms\": %lld, \"frames\": %zu, "
            "\"repetitions\": %lld, \"cpu_us_per_frame\": %.2f, \"cpu_us_sd\": %.2f, "
            "\"wall_us_per_frame\": %.2f, \"wall_us_sd\": %.2f, \"core_share\": %.5f, "
            "\"realtime_factor\": %.5f, \"speexdsp_alone_cpu_us_per_frame\": %.2f, "
            "\"speexdsp_alone_cpu_us_sd\": %.2f}\n",
            static_cast<long long>(seconds_of_sound), static_cast<long long>(tail_ms), frames,
            static_cast<long long>(repetitions), cpu.mean, cpu.sd, elapsed.mean, elapsed.sd,
            cpu.mean / frame_us, elapsed.mean / frame_us, baseline.cpu_us.mean, baseline.cpu_us.sd);
    } else {
        std::printf(
            "echo canceller (speexdsp, 16 kHz, %zu-sample frames, %lld-ms tail) on %lld s of "
            "spoken answers: %zu frames x %lld repetitions, one thread\n",
            kFrame, static_cast<long long>(tail_ms), static_cast<long long>(seconds_of_sound),
            frames, static_cast<long long>(repetitions));
        std::printf("  CPU time per frame:   %8.1f us  (sd %.1f)\n", cpu.mean, cpu.sd);
        std::printf("  wall time per frame:  %8.1f us  (sd %.1f)\n", elapsed.mean, elapsed.sd);
        std::printf("  share of one core:    %8.2f %%  (a frame is %.0f us of sound)\n",
                    100 * cpu.mean / frame_us, frame_us);
        std::printf("  real-time factor:     %8.4f  (wall time / sound)\n",
                    elapsed.mean / frame_us);
        std::printf(
            "  speexdsp's two calls alone (baseline): %.1f us CPU per frame (sd %.1f), "
            "%.2f %% of a core\n",
            baseline.cpu_us.mean, baseline.cpu_us.sd, 100 * baseline.cpu_us.mean / frame_us);
    }
    if (!rooms.empty() && !json)
        std::printf(
            "\necho alone, per room (a user frame is echo taken for the user)\n"
            "| delay ms | gain | user frames | closest to threshold dB | learned at s "
            "| echo left out dB |\n|---:|---:|---:|---:|---:|---:|\n");
    for (const Room& room : rooms) {
        const RoomResult r = hear_room(played, room, tail);
        if (json) {
            std::printf(
                "{\"bench\": \"aec_room\", \"delay_ms\": %d, \"gain\": %.3f, "
                "\"user_frames\": %lld, \"closest_to_user_db\": %.2f, \"learned_s\": "
                "%.2f, \"echo_reduction_db\": %.2f}\n",
                room.delay_ms, room.gain, static_cast<long long>(r.user_frames), r.closest_db,
                r.learned_s, r.left_db);
        } else {
            std::printf("| %d | %.2f | %lld | %.1f | %.2f | %.1f |\n", room.delay_ms, room.gain,
                        static_cast<long long>(r.user_frames), r.closest_db, r.learned_s,
                        r.left_db);
        }
    }
    return 0;
}

}  // namespace prism::bench
