#include "cli/generation_flags.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>

#include "common/number_flags.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/image.hpp"

namespace prism::cli {
namespace {

std::string video_flags_help() {
    return "  --video-fps F           pictures per second of video, " +
           app::flag_range("--video-fps") +
           " (default 1)\n"
           "  --video-frames N        at most N pictures, spread over the whole video when the\n"
           "                          rate gives more, " +
           app::flag_range("--video-frames") +
           " (default 32)\n"
           "  --video-tokens N        prompt tokens a video may take; pictures are made smaller,\n"
           "                          then fewer, to fit (default 0: half the context)\n";
}

void usage(const std::string& command) {
    const bool run = command == "run";
    std::printf(
        "usage: prism-cli %s -m MODEL.gguf %s[options]\n"
        "  -m, --model FILE        text model GGUF\n"
        "%s"
        "  --system TEXT           system prompt\n"
        "  --mmproj FILE           vision and/or audio encoder (llama.cpp mmproj GGUF) for\n"
        "                          images, videos and sound\n"
        "%s"
        "  -n, --n-predict N       tokens per answer: -1 until the model ends or the context is\n"
        "                          full, 0 none (the prompt is only read) (default -1)\n"
        "  -c, --ctx-size N        context length, 0 the model's at most 4096 (default 0); more\n"
        "                          than the model was trained with works, with a warning\n"
        "  -b, --batch-size N      prefill chunk, at least 1 (default 256)\n"
        "  --temp T                temperature, at least 0; 0 is greedy (default 0.8)\n"
        "  --top-k K               0 to 2147483647, 0 off (default 40)\n"
        "  --top-p P               0 to 1, 1 off (default 0.95)\n"
        "  --min-p P               0 to 1, 0 off (default 0.05)\n"
        "  --repeat-penalty R      greater than 0, 1 off (default 1)\n"
        "  --repeat-last-n N       tokens the penalties look at, 0 off (default 64)\n"
        "  --presence-penalty P    (default 0)\n"
        "  --frequency-penalty P   (default 0)\n"
        "  --seed S                random seed, 0 to 2^64-1 (default 0)\n"
        "  --stop TEXT             stop when TEXT appears (repeatable)\n"
        "  --device D              Vulkan device index or name\n"
        "%s"
        "%s"
        "environment: PRISM_MEMORY_BUDGET_MIB caps the device memory the model may use\n",
        command.c_str(), run ? "-p PROMPT " : "",
        run ? "  -p, --prompt TEXT       the prompt\n"
              "  --raw                   plain completion, no chat template\n"
            : "",
        run ? "  --image FILE            an image for the prompt's next <image> (repeatable;\n"
              "                          without <image>: before the text)\n"
              "  --audio FILE            a sound for the prompt's next <audio> (repeatable;\n"
              "                          without <audio>: before the text, after images)\n"
              "  --video FILE            a video before the text: sampled pictures with their\n"
              "                          times (and its sound, for models that hear)\n"
            : "  (in the chat, /image FILE attaches an image to the next message, /audio FILE\n"
              "  a sound, /video FILE a video)\n",
        video_flags_help().c_str(),
        run ? ""
            : "A message that does not fit in the context is refused (the chat goes on); when the\n"
              "conversation leaves too little room for an answer, its oldest turns are dropped.\n");
}

float real(const std::string& flag, const std::string& v) {
    return static_cast<float>(app::real_flag(flag, v));
}

std::int32_t int32(const std::string& flag, const std::string& v) {
    // The rules of these flags end at 2^31 - 1.
    return static_cast<std::int32_t>(app::integer_flag(flag, v));
}

}  // namespace

bool parse_generation_flags(const std::string& command, const std::vector<std::string>& args,
                            GenerationFlags& f) {
    auto& s = f.generate.sampling;
    f.generate.max_tokens = -1;
    using Setter = std::function<void(const std::string& flag, const std::string& value)>;
    const std::map<std::string, Setter> valued = {
        {"-m", [&](auto&, auto& v) { f.model = v; }},
        {"-p",
         [&](auto&, auto& v) {
             f.prompt = v;
             f.prompt_given = true;
         }},
        {"--system", [&](auto&, auto& v) { f.system = v; }},
        {"-n", [&](auto& k, auto& v) { f.generate.max_tokens = app::integer_flag(k, v); }},
        {"-c", [&](auto& k, auto& v) { f.session.n_ctx = app::integer_flag(k, v); }},
        {"-b", [&](auto& k, auto& v) { f.session.prefill_chunk = app::integer_flag(k, v); }},
        {"--temp", [&](auto& k, auto& v) { s.temperature = real(k, v); }},
        {"--top-k", [&](auto& k, auto& v) { s.top_k = int32(k, v); }},
        {"--top-p", [&](auto& k, auto& v) { s.top_p = real(k, v); }},
        {"--min-p", [&](auto& k, auto& v) { s.min_p = real(k, v); }},
        {"--repeat-penalty", [&](auto& k, auto& v) { s.repeat_penalty = real(k, v); }},
        {"--repeat-last-n", [&](auto& k, auto& v) { s.penalty_last_n = int32(k, v); }},
        {"--presence-penalty", [&](auto& k, auto& v) { s.presence_penalty = real(k, v); }},
        {"--frequency-penalty", [&](auto& k, auto& v) { s.frequency_penalty = real(k, v); }},
        {"--seed", [&](auto& k, auto& v) { s.seed = app::unsigned_flag(k, v); }},
        {"--stop", [&](auto&, auto& v) { f.generate.stop.push_back(v); }},
        {"--device", [&](auto&, auto& v) { f.session.device = v; }},
        {"--mmproj", [&](auto&, auto& v) { f.session.mmproj = v; }},
        {"--image", [&](auto&, auto& v) { f.images.push_back(v); }},
        {"--audio", [&](auto&, auto& v) { f.sounds.push_back(v); }},
        {"--video",
         [&](auto&, auto& v) {
             if (!f.video.empty()) throw Error("run: one --video per prompt");
             f.video = v;
         }},
        {"--video-fps",
         [&](auto& k, auto& v) { f.video_sampling.frames_per_second = app::real_flag(k, v); }},
        {"--video-frames", [&](auto& k, auto& v) { f.video_sampling.max_frames = int32(k, v); }},
        {"--video-tokens", [&](auto& k, auto& v) { f.video_tokens = app::integer_flag(k, v); }},
    };
    const std::map<std::string, std::string> aliases = {
        {"--model", "-m"},    {"--prompt", "-p"},     {"--n-predict", "-n"},
        {"--ctx-size", "-c"}, {"--batch-size", "-b"},
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        if (a == "-h" || a == "--help") {
            usage(command);
            return false;
        }
        if (a == "--raw" && command == "run") {
            f.raw = true;
            continue;
        }
        if (const auto alias = aliases.find(a); alias != aliases.end()) a = alias->second;
        const auto setter = valued.find(a);
        if (setter == valued.end() ||
            ((a == "-p" || a == "--image" || a == "--audio" || a == "--video") &&
             command != "run")) {
            throw Error(command + ": unknown option '" + args[i] + "' (see prism-cli " + command +
                        " --help)");
        }
        if (i + 1 >= args.size()) throw Error(command + ": " + args[i] + " needs a value");
        setter->second(args[i], args[i + 1]);
        ++i;
    }
    if (f.model.empty()) throw Error(command + ": no model (-m MODEL.gguf)");
    // Caps the device memory a model may take (and lets tests play a small device).
    if (const char* budget = std::getenv("PRISM_MEMORY_BUDGET_MIB")) {
        f.session.memory_budget_bytes =
            static_cast<std::uint64_t>(app::integer_flag("PRISM_MEMORY_BUDGET_MIB", budget)) << 20;
    }
    return true;
}

Session load_session(const GenerationFlags& flags) {
    const bool show = isatty(STDERR_FILENO) != 0;
    int shown = -1;
    Session session = Session::load(flags.model, flags.session, [&](float fraction) {
        const int percent = static_cast<int>(fraction * 100.0f);
        if (!show || percent == shown) return;
        shown = percent;
        std::fprintf(stderr, "\rloading %s: %3d%%", flags.model.c_str(), percent);
        if (percent == 100) std::fputc('\n', stderr);
    });
    if (!flags.raw && !session.chat_template().warning().empty()) {
        std::fprintf(stderr, "warning: %s\n", session.chat_template().warning().c_str());
    }
    if (!session.context_warning().empty())
        std::fprintf(stderr, "warning: %s\n", session.context_warning().c_str());
    return session;
}

MessagePart sound_part(const std::string& path) {
    return MessagePart::of_audio(
        std::make_shared<const media::Audio>(media::decode_audio_file(path)));
}

std::vector<MessagePart> prompt_parts(const std::string& prompt,
                                      const std::vector<std::string>& images,
                                      const std::vector<std::string>& sounds) {
    struct Kind {
        std::string_view marker, flag;
        const std::vector<std::string>& files;
        std::function<MessagePart(const std::string&)> load;
        std::size_t markers = 0, next = 0;
    };
    Kind kinds[] = {
        {"<image>", "--image", images,
         [](const std::string& path) {
             return MessagePart::of_image(
                 std::make_shared<const media::Image>(media::decode_image_file(path)));
         }},
        {"<audio>", "--audio", sounds, sound_part},
    };
    std::vector<MessagePart> parts;
    for (Kind& k : kinds) {
        for (std::size_t at = prompt.find(k.marker); at != std::string::npos;
             at = prompt.find(k.marker, at + k.marker.size()))
            ++k.markers;
        if (k.markers == 0) {
            for (const auto& path : k.files) parts.push_back(k.load(path));
        } else if (k.markers != k.files.size()) {
            throw Error("run: the prompt has " + std::to_string(k.markers) + " " +
                        std::string(k.marker) + " but " + std::to_string(k.files.size()) + " " +
                        std::string(k.flag) + " were given");
        }
    }
    // The text between markers, each marker replaced by its kind's next file.
    std::size_t at = 0;
    while (true) {
        Kind* first = nullptr;
        std::size_t where = std::string::npos;
        for (Kind& k : kinds) {
            const std::size_t m = k.markers > 0 ? prompt.find(k.marker, at) : std::string::npos;
            if (m < where) where = m, first = &k;
        }
        if (first == nullptr) break;
        if (where > at) parts.push_back(MessagePart::of_text(prompt.substr(at, where - at)));
        parts.push_back(first->load(first->files[first->next++]));
        at = where + first->marker.size();
    }
    if (at < prompt.size()) parts.push_back(MessagePart::of_text(prompt.substr(at)));
    return parts;
}

void print_timings(const Session& session, const Timings& t) {
    std::fprintf(stderr,
                 "\n%s on %s: load %.3f s (%.2f MiB weights, %.2f MiB KV cache, ctx %lld)\n"
                 "prompt: %lld tokens (%lld reused from cache, %lld evaluated) in %.3f s "
                 "(%.1f tok/s)\n"
                 "generation: %lld tokens in %.3f s (%.1f tok/s), first token after %.3f s\n",
                 std::string(session.architecture()).c_str(),
                 std::string(session.device_name()).c_str(), session.load_seconds(),
                 static_cast<double>(session.weight_bytes()) / (1 << 20),
                 static_cast<double>(session.kv_cache_bytes()) / (1 << 20),
                 static_cast<long long>(session.n_ctx()), static_cast<long long>(t.prompt_tokens),
                 static_cast<long long>(t.prompt_tokens_reused),
                 static_cast<long long>(t.prompt_tokens_evaluated), t.prompt_seconds,
                 t.prompt_tokens_per_second, static_cast<long long>(t.generated_tokens),
                 t.generation_seconds, t.generated_tokens_per_second, t.time_to_first_token);
    if (t.images_encoded > 0 || t.image_encode_seconds > 0) {
        std::fprintf(stderr, "image encode: %lld image(s) in %.3f s (preprocess + encode)\n",
                     static_cast<long long>(t.images_encoded), t.image_encode_seconds);
    }
    if (t.sounds_encoded > 0) {
        std::fprintf(stderr, "audio: %lld sound(s): decode %.3f s, mel %.3f s, encode %.3f s\n",
                     static_cast<long long>(t.sounds_encoded), t.audio_decode_seconds,
                     t.audio_mel_seconds, t.audio_encode_seconds);
    }
}

}  // namespace prism::cli
