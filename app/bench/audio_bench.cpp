// prism-bench audio: the stages of turning a sound into audio tokens, per clip: decoding the
// file (FFmpeg, 16 kHz mono), the log-mel windows, and the mmproj's audio tower (Whisper
// encoder + projector, every 30-s window). Each clip is measured whole, as its first 2 s, and
// repeated to 30 s, so that the per-window and per-short-clip costs can be read apart. Warm-up
// runs first (--warmup, default 1), then repetitions, reported as mean ± sd in milliseconds.

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/media/audio.hpp"
#include "prism/models/audio_encoder.hpp"

namespace prism::bench {
namespace {

const std::vector<std::string> kDefaultClips = {"tests/data/audio/jfk.wav"};

struct AudioOptions {
    std::string mmproj, device;
    std::vector<std::string> clips;
    std::int64_t reps = 3;
    std::int64_t warmups = 1;
    bool json = false;
};

void audio_usage() {
    std::fputs(
        "usage: prism-bench audio --mmproj MMPROJ.gguf [--clip PATH ...] [-r 3] [--warmup 1]\n"
        "                         [--json]\n"
        "  --mmproj FILE        an mmproj with an audio encoder (ultravox, qwen2a, voxtral,\n"
        "                       qwen2.5o)\n"
        "  --clip PATH          a sound file (repeatable; default tests/data/audio/jfk.wav, run\n"
        "                       from the repo root); measured whole, its first 2 s, and\n"
        "                       repeated to 30 s\n"
        "  -r, --repetitions N  timed runs per clip after the warm-up\n"
        "  --warmup N           untimed runs first (0 or more; default 1)\n"
        "  --device D           Vulkan device index or name part\n"
        "  --json               one JSON object per row\n",
        stdout);
}

bool parse(const std::vector<std::string>& args, AudioOptions& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            audio_usage();
            return false;
        }
        if (a == "--json") {
            o.json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("audio: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "--mmproj")
            o.mmproj = v;
        else if (a == "--clip")
            o.clips.push_back(v);
        else if (a == "-r" || a == "--repetitions")
            o.reps = app::integer_flag(a, v);
        else if (a == "--warmup")
            o.warmups = app::integer_flag(a, v);
        else if (a == "--device")
            o.device = v;
        else
            throw Error("audio: unknown option '" + a + "' (see prism-bench audio --help)");
    }
    if (o.mmproj.empty()) throw Error("audio: no audio encoder (--mmproj MMPROJ.gguf)");
    if (o.reps < 1) throw Error("audio: -r must be at least 1");
    if (o.warmups < 0) throw Error("audio: --warmup must be 0 or more");
    if (o.clips.empty()) o.clips = kDefaultClips;
    return true;
}

std::string basename(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

// The first `seconds` of a sound, repeating it when it is shorter.
std::vector<float> cut(const std::vector<float>& samples, double seconds) {
    const auto n = static_cast<std::size_t>(seconds * media::audio_sample_rate);
    std::vector<float> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = samples[i % samples.size()];
    return out;
}

}  // namespace

int audio_command(const std::vector<std::string>& args) {
    AudioOptions o;
    if (!parse(args, o)) return 0;
    for (const auto& path : o.clips) media::decode_audio_file(path);  // fail before loading

    const gguf::File mmproj = gguf::File::open(o.mmproj);
    gpu::ContextOptions context_options;
    context_options.device = o.device;
    gpu::Context context(context_options);
    models::AudioEncoder encoder(context, mmproj);
    const std::string device = context.device().name;
    const std::string_view projector = models::projector_type_name(encoder.hparams().projector);
    if (!o.json) {
        std::printf("mmproj %s (%.*s), %s, %lld runs after %lld warm-up(s), ms\n\n",
                    basename(o.mmproj).c_str(), static_cast<int>(projector.size()),
                    projector.data(), device.c_str(), static_cast<long long>(o.reps),
                    static_cast<long long>(o.warmups));
        std::printf("| %-28s | %7s | %6s | %7s | %16s | %16s | %18s |\n", "clip", "seconds",
                    "tokens", "tok/s", "decode (file)", "log-mel", "encode");
        std::printf("| %-28s | %7s | %6s | %7s | %16s | %16s | %18s |\n", "---",
                    "---:", "---:", "---:", "---:", "---:", "---:");
    }
    for (const auto& path : o.clips) {
        std::vector<double> decode;
        media::Audio sound;
        for (std::int64_t r = 0; r < o.warmups + o.reps; ++r) {
            const double s = seconds([&] { sound = media::decode_audio_file(path); });
            if (r >= o.warmups) decode.push_back(s * 1e3);
        }
        const double whole = static_cast<double>(sound.samples.size()) / media::audio_sample_rate;
        const struct {
            std::string label;
            std::vector<float> samples;
        } cases[] = {{basename(path), sound.samples},
                     {basename(path) + " [first 2 s]", cut(sound.samples, 2.0)},
                     {basename(path) + " [to 30 s]", cut(sound.samples, 30.0)}};
        for (const auto& c : cases) {
            std::vector<double> mel_ms, encode_ms;
            for (std::int64_t r = 0; r < o.warmups + o.reps; ++r) {
                std::vector<media::MelSpectrogram> windows;
                const double m = seconds([&] { windows = encoder.mel(c.samples); });
                const double e =
                    seconds([&] { encoder.encode(windows, c.samples.size(), c.label); });
                if (r < o.warmups) continue;
                mel_ms.push_back(m * 1e3);
                encode_ms.push_back(e * 1e3);
            }
            const double secs = static_cast<double>(c.samples.size()) / media::audio_sample_rate;
            const std::int64_t tokens = encoder.tokens_for(c.samples.size());
            const Stats d = stats(decode), m = stats(mel_ms), e = stats(encode_ms);
            const bool is_file = secs == whole;  // the decode time belongs to the whole file
            if (o.json) {
                std::printf(
                    "{\"mmproj\": \"%s\", \"projector\": \"%.*s\", \"device\": \"%s\", "
                    "\"clip\": \"%s\", \"seconds\": %.3f, \"tokens\": %lld, "
                    "\"decode_ms\": %.3f, \"mel_ms\": %.3f, \"mel_sd\": %.3f, "
                    "\"encode_ms\": %.3f, \"encode_sd\": %.3f}\n",
                    o.mmproj.c_str(), static_cast<int>(projector.size()), projector.data(),
                    device.c_str(), c.label.c_str(), secs, static_cast<long long>(tokens),
                    is_file ? d.mean : 0.0, m.mean, m.sd, e.mean, e.sd);
            } else {
                char dec[48], mel[48], enc[48];
                if (is_file)
                    std::snprintf(dec, sizeof dec, "%.1f ± %.1f", d.mean, d.sd);
                else
                    std::snprintf(dec, sizeof dec, "-");
                std::snprintf(mel, sizeof mel, "%.1f ± %.1f", m.mean, m.sd);
                std::snprintf(enc, sizeof enc, "%.1f ± %.1f", e.mean, e.sd);
                std::printf("| %-28s | %7.2f | %6lld | %7.2f | %17s | %17s | %19s |\n",
                            c.label.c_str(), secs, static_cast<long long>(tokens),
                            static_cast<double>(tokens) / secs, dec, mel, enc);
            }
            std::fflush(stdout);
        }
    }
    return 0;
}

}  // namespace prism::bench
