// prism-cli transcribe: speech to text with a Whisper model, one transcript per
// file.

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/transcript_format.hpp"
#include "common/number_flags.hpp"
#include "common/standard_streams.hpp"
#include "common/vad_model_path.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/transcriber.hpp"
#include "prism/vad.hpp"

namespace prism::cli {
namespace {

constexpr const char* kUsage =
    "usage: prism-cli transcribe -m WHISPER_MODEL [options] FILE...\n"
    "\n"
    "Transcribes each sound or video file (WAV, MP3, FLAC, Ogg, M4A, video "
    "sound tracks).\n"
    "  -m, --model FILE     a Whisper model: whisper.cpp's ggml-*.bin (f32, f16,\n"
    "                       q4_0, q4_1, q5_0, q5_1, q8_0) or a Whisper GGUF\n"
    "                       (tools/convert_whisper_ct2.py makes one)\n"
    "  --srt | --vtt | --json  subtitles or JSON with segment times (default: "
    "plain text)\n"
    "  --no-timestamps      decode without timestamps (one segment per 30-s "
    "window)\n"
    "  --language CODE      multilingual models: the spoken language (default: "
    "detected)\n"
    "  --translate          multilingual models: translate into English\n"
    "  --no-fallback        decode at temperature 0 only\n"
    "  --vad                encode only the speech Silero VAD finds (times stay those\n"
    "                       of the whole file)\n"
    "  --vad-model FILE     the VAD model (default: $PRISM_VAD_MODEL, else the copy\n"
    "                       shipped with Prism)\n"
    "  --device D           Vulkan device index or name\n"
    "Timings go to stderr.\n";

}  // namespace

int transcribe_command(const std::vector<std::string>& args) {
    std::string model, device, vad_model;
    bool use_vad = false;
    std::vector<std::string> files;
    TranscriptFormat format = TranscriptFormat::text;
    TranscribeOptions options;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw Error("transcribe: " + a + " needs a value");
            return args[++i];
        };
        if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        } else if (a == "-m" || a == "--model") {
            model = value();
        } else if (a == "--srt") {
            format = TranscriptFormat::srt;
        } else if (a == "--vtt") {
            format = TranscriptFormat::vtt;
        } else if (a == "--json") {
            format = TranscriptFormat::json;
        } else if (a == "--no-timestamps") {
            options.timestamps = false;
        } else if (a == "--language") {
            options.language = value();
        } else if (a == "--translate") {
            options.translate = true;
        } else if (a == "--no-fallback") {
            options.temperatures = {0.0f};
        } else if (a == "--device") {
            device = value();
        } else if (a == "--vad") {
            use_vad = true;
        } else if (a == "--vad-model") {
            vad_model = value();
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "prism-cli transcribe: unknown option '%s'\n%s", a.c_str(),
                         kUsage);
            return 2;
        } else {
            files.push_back(a);
        }
    }
    if (model.empty()) throw Error("transcribe: no model (-m WHISPER_MODEL)");
    if (files.empty()) throw Error("transcribe: no file to transcribe");
    if (format != TranscriptFormat::text && !options.timestamps) {
        throw Error("transcribe: --srt, --vtt and --json need timestamps");
    }
    // Every file is decoded before the model loads, so a bad file fails fast.
    std::vector<media::Audio> audio;
    audio.reserve(files.size());
    for (const auto& f : files) audio.push_back(media::decode_audio_file(f));

    std::optional<vad::VoiceActivityDetector> detector;
    if (use_vad) {
        if (vad_model.empty()) vad_model = app::default_vad_model().string();
        if (vad_model.empty()) {
            throw Error(
                "transcribe: --vad found no VAD model (--vad-model FILE, or PRISM_VAD_MODEL)");
        }
        detector.emplace(vad::VoiceActivityDetector::load(vad_model));
    }

    Transcriber transcriber(model, TranscriberOptions{.device = device});
    for (std::size_t i = 0; i < audio.size(); ++i) {
        if (files.size() > 1 && format == TranscriptFormat::text) {
            app::write_stdout_or_throw((i ? "\n==> " : "==> ") + files[i] + " <==\n");
        }
        TranscribeOptions file_options = options;
        // No speech found: no clip to transcribe, so an empty transcript (clips left empty
        // would mean the whole file).
        bool silent = false;
        if (detector) {
            file_options.clips = vad::speech_clips(*detector, audio[i].samples);
            silent = file_options.clips.empty();
        }
        Transcript t;
        if (silent) {
            t.timings.audio_seconds = audio[i].duration_seconds();
            if (!transcriber.multilingual()) {
                t.language = "en";
                t.language_probability = 1;
            }
        } else {
            t = transcriber.transcribe(audio[i].samples, file_options);
        }
        app::write_stdout_or_throw(format_transcript(t, format, files[i]));
        const auto& tm = t.timings;
        const double total_ms = tm.mel_ms + tm.encode_ms + tm.decode_ms;
        std::fprintf(stderr,
                     "%s: %.2f s of sound in %.0f ms (%.1fx real time): mel %.0f "
                     "ms, encoder "
                     "%.0f ms, decoder %.0f ms (%lld steps), %lld window(s)\n",
                     files[i].c_str(), tm.audio_seconds, total_ms,
                     total_ms > 0 ? tm.audio_seconds * 1000.0 / total_ms : 0.0, tm.mel_ms,
                     tm.encode_ms, tm.decode_ms, static_cast<long long>(tm.decoder_steps),
                     static_cast<long long>(tm.windows));
    }
    return 0;
}

}  // namespace prism::cli
