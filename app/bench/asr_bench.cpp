// prism-bench asr: speech recognition speed per clip. Each repetition
// transcribes the whole clip (greedy, temperature 0, timestamps on; the model
// loaded once), and reports the real-time factor (seconds of sound per second
// of processing), the encoder's and the decoder's milliseconds and the decoder
// steps, as mean ± sd. With the faster-whisper baseline available (a Python
// with faster-whisper, tools/bench_faster_whisper.py run beside it in the same
// minutes), the same clips are timed there on the CPU (int8 and float32, 2
// threads) and the ratio printed.

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/transcriber.hpp"

namespace prism::bench {
namespace {

const std::vector<std::string> kDefaultClips = {
    "tests/data/audio/jfk.wav", "tests/data/audio/2830-3980-0043.wav",
    "tests/data/audio/4507-16021-0012.wav", "tests/data/audio/8455-210777-0068.wav"};

struct AsrOptions {
    std::string model, device, python = "python3", ct2_dir;
    std::vector<std::string> clips;
    std::int64_t reps = 3, warmups = 1;
    bool baseline = true;
};

void asr_usage(std::FILE* to) {
    std::fputs(
        "usage: prism-bench asr -m WHISPER.gguf [--clip PATH ...] [-r 3] "
        "[--warmup 1]\n"
        "                       [--ct2 DIR] [--python PYTHON] "
        "[--no-baseline] [--device D]\n"
        "  --clip PATH     a sound file (repeatable; default: jfk.wav and "
        "the three LibriSpeech\n"
        "                  clips of tests/data/audio, run from the "
        "repository root)\n"
        "  --ct2 DIR       the same model in CTranslate2 form for the "
        "faster-whisper baseline\n"
        "                  (default: whisper-tiny.en-ct2 beside the GGUF, "
        "as fetch_models.py\n"
        "                  leaves it)\n"
        "  --python P      a Python with faster-whisper "
        "(tools/requirements.txt)\n",
        to);
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// (compute type, clip) -> (mean, sd) seconds; empty when the baseline could not
// run.
std::map<std::pair<std::string, std::string>, Stats> run_baseline(const AsrOptions& o) {
    std::map<std::pair<std::string, std::string>, Stats> out;
    std::string cmd = shell_quote(o.python) + " tools/bench_faster_whisper.py " +
                      shell_quote(o.ct2_dir) + " " + std::to_string(o.reps);
    for (const auto& c : o.clips) cmd += " " + shell_quote(c);
    cmd += " 2>/dev/null";
    std::FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char line[4096];
    while (std::fgets(line, sizeof line, p) != nullptr) {
        std::istringstream in(line);
        std::string tag, type, clip;
        Stats s;
        if (in >> tag >> type >> clip >> s.mean >> s.sd && tag == "fw") out[{type, clip}] = s;
    }
    ::pclose(p);
    return out;
}

}  // namespace

int asr_command(const std::vector<std::string>& args) {
    AsrOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw Error("asr: " + a + " needs a value");
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            asr_usage(stdout);
            return 0;
        } else if (a == "-m" || a == "--model") {
            o.model = value();
        } else if (a == "--clip") {
            o.clips.push_back(value());
        } else if (a == "-r") {
            o.reps = std::stoll(value());
        } else if (a == "--warmup") {
            o.warmups = std::stoll(value());
        } else if (a == "--ct2") {
            o.ct2_dir = value();
        } else if (a == "--python") {
            o.python = value();
        } else if (a == "--no-baseline") {
            o.baseline = false;
        } else if (a == "--device") {
            o.device = value();
        } else {
            asr_usage(stderr);
            return 2;
        }
    }
    if (o.model.empty()) throw Error("asr: no model (-m WHISPER.gguf)");
    if (o.reps < 1 || o.reps > 1000 || o.warmups < 0 || o.warmups > 100)
        throw Error("asr: -r must be from 1 to 1000 and --warmup from 0 to 100");
    if (o.clips.empty()) o.clips = kDefaultClips;
    if (o.ct2_dir.empty())
        o.ct2_dir = (std::filesystem::path(o.model).parent_path() / "whisper-tiny.en-ct2").string();

    std::vector<media::Audio> audio;
    for (const auto& c : o.clips) audio.push_back(media::decode_audio_file(c));
    // Every repetition encodes: no reuse of the last window's encoding.
    Transcriber t(o.model, TranscriberOptions{.device = o.device, .reuse_last_window = false});
    TranscribeOptions greedy;
    greedy.temperatures = {0.0f};
    std::printf("model: %s\n", t.model_description().c_str());
    std::printf("%-40s %7s %14s %14s %14s %7s\n", "clip", "sound s", "RTF (x real)", "encoder ms",
                "decoder ms", "steps");
    std::vector<Stats> prism_seconds;
    for (std::size_t c = 0; c < audio.size(); ++c) {
        for (std::int64_t w = 0; w < o.warmups; ++w) t.transcribe(audio[c].samples, greedy);
        std::vector<double> rtf, enc, dec, total;
        std::int64_t steps = 0;
        for (std::int64_t r = 0; r < o.reps; ++r) {
            Transcript tr;
            const double s = seconds([&] { tr = t.transcribe(audio[c].samples, greedy); });
            rtf.push_back(audio[c].duration_seconds() / s);
            enc.push_back(tr.timings.encode_ms);
            dec.push_back(tr.timings.decode_ms);
            total.push_back(s);
            steps = tr.timings.decoder_steps;
        }
        const Stats R = stats(rtf), E = stats(enc), D = stats(dec);
        prism_seconds.push_back(stats(total));
        std::printf("%-40s %7.2f %6.2f ± %5.2f %7.0f ± %4.0f %7.0f ± %4.0f %7lld\n",
                    o.clips[c].c_str(), audio[c].duration_seconds(), R.mean, R.sd, E.mean, E.sd,
                    D.mean, D.sd, static_cast<long long>(steps));
    }
    if (!o.baseline) return 0;
    const auto base = run_baseline(o);
    if (base.empty()) {
        std::printf(
            "faster-whisper baseline: not run (needs %s with "
            "faster-whisper and %s)\n",
            o.python.c_str(), o.ct2_dir.c_str());
        return 0;
    }
    std::printf(
        "\nfaster-whisper (CPU, 2 threads), seconds per clip, and "
        "Prism's time over it\n");
    std::printf("%-40s %16s %16s %16s %9s %9s\n", "clip", "Prism s", "fw int8 s", "fw f32 s",
                "/ int8", "/ f32");
    for (std::size_t c = 0; c < o.clips.size(); ++c) {
        const auto i8 = base.find({"int8", o.clips[c]});
        const auto f32 = base.find({"float32", o.clips[c]});
        if (i8 == base.end() || f32 == base.end()) continue;
        const Stats& P = prism_seconds[c];
        std::printf("%-40s %7.3f ± %6.3f %7.3f ± %6.3f %7.3f ± %6.3f %8.2fx %8.2fx\n",
                    o.clips[c].c_str(), P.mean, P.sd, i8->second.mean, i8->second.sd,
                    f32->second.mean, f32->second.sd, P.mean / i8->second.mean,
                    P.mean / f32->second.mean);
    }
    return 0;
}

}  // namespace prism::bench
