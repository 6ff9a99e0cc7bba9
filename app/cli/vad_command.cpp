// prism-cli vad: the speech segments of sound files, by Silero VAD (whisper.cpp's
// ggml-silero-*.bin) and the segmenter silero-vad's get_speech_timestamps describes.

#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "common/number_flags.hpp"
#include "common/standard_streams.hpp"
#include "common/vad_model_path.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/vad.hpp"

namespace prism::cli {
namespace {

void usage(std::FILE* to) {
    std::fputs(
        "usage: prism-cli vad [-m SILERO.bin] [options] FILE...\n"
        "prints the speech segments of each sound file (start and end in seconds)\n"
        "  -m, --model FILE        Silero VAD model, whisper.cpp's ggml-silero-v6.2.0.bin\n"
        "                          (default: $PRISM_VAD_MODEL, else the copy shipped with\n"
        "                          Prism in share/prism/models)\n"
        "  --threshold P           speech starts at this probability (default 0.5)\n"
        "  --negative-threshold P  and ends below this one (default threshold - 0.15)\n"
        "  --min-speech-ms MS      shorter speech is dropped (default 250)\n"
        "  --min-silence-ms MS     silence that ends speech (default 100)\n"
        "  --speech-pad-ms MS      padding on both sides of a segment (default 30)\n"
        "  --json                  one JSON object with every file's segments\n",
        to);
}

std::string seconds(std::int64_t samples) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(samples) / vad::sample_rate);
    return buf;
}

// A file name as a JSON string: quotes, backslashes and control bytes escaped; other bytes
// as they are (a name that is not UTF-8 stays so).
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string text_report(const std::string& file, std::int64_t samples,
                        const std::vector<vad::SpeechSegment>& segments) {
    std::string out = file + ": " + std::to_string(segments.size()) + " speech segment" +
                      (segments.size() == 1 ? "" : "s") + " in " + seconds(samples) + " s\n";
    for (const vad::SpeechSegment& s : segments)
        out += "  " + seconds(s.begin) + " - " + seconds(s.end) + "\n";
    return out;
}

std::string json_report(const std::string& file, std::int64_t samples,
                        const std::vector<vad::SpeechSegment>& segments) {
    std::string out = "{\"file\": " + json_string(file) + ", \"duration\": " + seconds(samples) +
                      ", \"segments\": [";
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const vad::SpeechSegment& s = segments[i];
        out += std::string(i ? ", " : "") + "{\"start\": " + seconds(s.begin) +
               ", \"end\": " + seconds(s.end) + ", \"start_sample\": " + std::to_string(s.begin) +
               ", \"end_sample\": " + std::to_string(s.end) + "}";
    }
    return out + "]}";
}

}  // namespace

int vad_command(const std::vector<std::string>& args) {
    std::string model;
    model = app::default_vad_model().string();
    vad::SegmenterOptions options;
    bool json = false;
    std::vector<std::string> files;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        }
        if (a == "--json") {
            json = true;
            continue;
        }
        if (a.size() > 1 && a[0] == '-') {
            if (i + 1 >= args.size()) throw Error("vad: '" + a + "' needs a value (or is unknown)");
            const std::string& v = args[++i];
            const auto ms = [&] { return static_cast<int>(app::integer_flag(a, v)); };
            if (a == "-m" || a == "--model")
                model = v;
            else if (a == "--threshold")
                options.threshold = app::real_flag(a, v);
            else if (a == "--negative-threshold")
                options.negative_threshold = app::real_flag(a, v);
            else if (a == "--min-speech-ms")
                options.min_speech_ms = ms();
            else if (a == "--min-silence-ms")
                options.min_silence_ms = ms();
            else if (a == "--speech-pad-ms")
                options.speech_pad_ms = ms();
            else
                throw Error("vad: unknown option '" + a + "' (see prism-cli vad --help)");
            continue;
        }
        files.push_back(a);
    }
    if (model.empty()) {
        throw Error(
            "vad: no model (-m ggml-silero-v6.2.0.bin, or PRISM_VAD_MODEL; the shipped copy "
            "in share/prism/models is missing)");
    }
    if (files.empty()) throw Error("vad: no sound file (prism-cli vad FILE...)");
    vad::check_options(options);
    const vad::VoiceActivityDetector detector = vad::VoiceActivityDetector::load(model);
    // Each file is decoded and reported before the next is read, so a long list starts
    // printing at once; a file that fails stops the command with its error.
    std::string out = json ? "{\"model\": " + json_string(model) + ", \"files\": [" : "";
    for (std::size_t i = 0; i < files.size(); ++i) {
        const media::Audio audio = media::decode_audio_file(files[i]);
        const auto samples = static_cast<std::int64_t>(audio.samples.size());
        const std::vector<vad::SpeechSegment> segments =
            vad::detect_speech(detector, audio.samples, options);
        if (json) {
            out += (i ? ", " : "") + json_report(files[i], samples, segments);
        } else {
            app::write_stdout_or_throw(text_report(files[i], samples, segments));
        }
    }
    if (json) app::write_stdout_or_throw(out + "]}\n");
    return 0;
}

}  // namespace prism::cli
