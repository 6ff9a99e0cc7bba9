// prism-bench video: the stages of answering about a video: decoding its sampled pictures (and
// sound), the plan within the token budget (pictures kept, their size and tokens), and encoding
// the kept pictures inside a session given the video and a short question, with the time to
// first token (load excluded). Warm-up runs per video (--warmup, default 1), then repetitions,
// reported as mean ± sd in milliseconds.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/media/video.hpp"
#include "prism/session.hpp"

namespace prism::bench {
namespace {

// Relative to the repository root, where the benchmark is meant to run
// (tools/make_video_fixtures.py).
const std::vector<std::string> kDefaultVideos = {"tests/data/video/bench_640x360.mp4"};

struct VideoOptions {
    std::string model, mmproj, device;
    std::vector<std::string> videos;
    media::VideoSampling sampling;
    std::int64_t budget = 0;  // 0: half the context
    std::int64_t reps = 3;
    std::int64_t warmups = 1;
    std::int64_t n_ctx = 0;
    std::string prompt = "What happens in this video?";
    bool json = false;
};

void video_usage() {
    std::fputs(
        "usage: prism-bench video --mmproj MMPROJ.gguf -m TEXT.gguf [--video PATH ...] [-r 3]\n"
        "                         [--video-fps 1] [--video-frames 32] [--video-tokens N]\n"
        "                         [--warmup 1] [--json]\n"
        "  -m, --model FILE     text model GGUF\n"
        "  --mmproj FILE        its vision encoder (llama.cpp mmproj GGUF)\n"
        "  --video PATH         a video to measure (repeatable; default: tests/data/video/\n"
        "                       bench_640x360.mp4, run from the repo root)\n"
        "  --video-fps F        pictures sampled per second (default 1)\n"
        "  --video-frames N     at most N pictures, spread over the video (default 32)\n"
        "  --video-tokens N     prompt tokens the video may take (default 0: half the context)\n"
        "  -r, --repetitions N  timed runs per video after the warm-up\n"
        "  --warmup N           untimed runs per video first (0 or more; default 1)\n"
        "  -p, --prompt TEXT    the question asked after the video (time to first token)\n"
        "  -c, --ctx-size N     the session's context\n"
        "  --device D           Vulkan device index or name part\n"
        "  --json               one JSON object per video\n",
        stdout);
}

bool parse(const std::vector<std::string>& args, VideoOptions& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            video_usage();
            return false;
        }
        if (a == "--json") {
            o.json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("video: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "-m" || a == "--model")
            o.model = v;
        else if (a == "--mmproj")
            o.mmproj = v;
        else if (a == "--video")
            o.videos.push_back(v);
        else if (a == "--video-fps")
            o.sampling.frames_per_second = app::real_flag(a, v);
        else if (a == "--video-frames")
            o.sampling.max_frames = static_cast<std::int32_t>(app::integer_flag(a, v));
        else if (a == "--video-tokens")
            o.budget = app::integer_flag(a, v);
        else if (a == "-r" || a == "--repetitions")
            o.reps = app::integer_flag(a, v);
        else if (a == "--warmup")
            o.warmups = app::integer_flag(a, v);
        else if (a == "-c" || a == "--ctx-size")
            o.n_ctx = app::integer_flag(a, v);
        else if (a == "-p" || a == "--prompt")
            o.prompt = v;
        else if (a == "--device")
            o.device = v;
        else
            throw Error("video: unknown option '" + a + "' (see prism-bench video --help)");
    }
    if (o.model.empty()) throw Error("video: no text model (-m TEXT.gguf)");
    if (o.mmproj.empty()) throw Error("video: no vision encoder (--mmproj MMPROJ.gguf)");
    if (o.videos.empty()) o.videos = kDefaultVideos;
    return true;
}

struct Measured {
    std::vector<double> decode, encode, ttft;  // milliseconds
    std::shared_ptr<const media::Video> video;
    VideoPlan plan;
};

std::string basename(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

void print_row(const VideoOptions& o, const std::string& path, const Measured& m,
               const std::string& device) {
    const Stats d = stats(m.decode), e = stats(m.encode), t = stats(m.ttft);
    const media::Video& v = *m.video;
    if (o.json) {
        std::printf(
            "{\"model\": \"%s\", \"mmproj\": \"%s\", \"device\": \"%s\", \"video\": \"%s\", "
            "\"width\": %d, \"height\": %d, \"seconds\": %.3f, \"sampled\": %zu, "
            "\"decoded\": %lld, \"seeked\": %s, \"frames\": %zu, \"frame_width\": %d, "
            "\"frame_height\": %d, \"tokens_per_frame\": %lld, \"tokens\": %lld, "
            "\"budget\": %lld, \"repetitions\": %lld, \"decode_ms\": %.3f, \"decode_sd\": %.3f, "
            "\"encode_ms\": %.3f, \"encode_sd\": %.3f, \"ttft_ms\": %.3f, \"ttft_sd\": %.3f}\n",
            o.model.c_str(), o.mmproj.c_str(), device.c_str(), path.c_str(), v.width, v.height,
            v.duration_seconds, v.frames.size(), static_cast<long long>(v.frames_decoded),
            v.seeked ? "true" : "false", m.plan.frames.size(), m.plan.frame_width,
            m.plan.frame_height, static_cast<long long>(m.plan.tokens_per_frame),
            static_cast<long long>(m.plan.total_tokens), static_cast<long long>(m.plan.budget),
            static_cast<long long>(o.reps), d.mean, d.sd, e.mean, e.sd, t.mean, t.sd);
    } else {
        const auto ms = [](const Stats& s) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%.1f ± %.1f", s.mean, s.sd);
            return std::string(buf);
        };
        char size[32], frames[48], planned[64];
        std::snprintf(size, sizeof size, "%dx%d %.0fs", v.width, v.height, v.duration_seconds);
        std::snprintf(frames, sizeof frames, "%zu (%lld decoded)", v.frames.size(),
                      static_cast<long long>(v.frames_decoded));
        std::snprintf(planned, sizeof planned, "%zu at %dx%d, %lld tok", m.plan.frames.size(),
                      m.plan.frame_width, m.plan.frame_height,
                      static_cast<long long>(m.plan.total_tokens));
        std::printf("| %-20s | %14s | %18s | %26s | %17s | %19s | %19s |\n", basename(path).c_str(),
                    size, frames, planned, ms(d).c_str(), ms(e).c_str(), ms(t).c_str());
    }
    std::fflush(stdout);
}

}  // namespace

int video_command(const std::vector<std::string>& args) {
    VideoOptions o;
    if (!parse(args, o)) return 0;
    // Every video must decode before minutes go into loading and encoding.
    for (const auto& path : o.videos) media::decode_video_file(path, o.sampling);

    SessionOptions session_options;
    session_options.device = o.device;
    session_options.mmproj = o.mmproj;
    session_options.n_ctx = o.n_ctx;
    Session session = Session::load(o.model, session_options);
    const std::string device(session.device_name());
    if (!o.json) {
        std::printf("model %s, mmproj %s, %s, %lld runs after %lld warm-up(s), ms\n\n",
                    basename(o.model).c_str(), basename(o.mmproj).c_str(), device.c_str(),
                    static_cast<long long>(o.reps), static_cast<long long>(o.warmups));
        std::printf("| %-20s | %14s | %18s | %26s | %16s | %18s | %18s |\n", "video", "size",
                    "sampled", "planned", "decode", "encode (planned)", "time to 1st token");
        std::printf("| %-20s | %14s | %18s | %26s | %16s | %18s | %18s |\n", "---",
                    "---:", "---:", "---:", "---:", "---:", "---:");
    }
    for (const auto& path : o.videos) {
        Measured m;
        for (std::int64_t r = 0; r < o.warmups + o.reps; ++r) {
            const double decode = seconds([&] {
                m.video = std::make_shared<const media::Video>(
                    media::decode_video_file(path, o.sampling));
            });
            m.plan = session.plan_video(*m.video, o.budget);
            // From an empty cache each time, or the pictures' rows would be reused.
            session.reset();
            session.add_user(
                {MessagePart::of_video(m.video, o.budget), MessagePart::of_text(o.prompt)});
            GenerateOptions generate;
            generate.sampling.temperature = 0.0f;
            generate.max_tokens = 1;
            const GenerateResult result = session.generate(generate);
            if (r < o.warmups) continue;
            m.decode.push_back(decode * 1e3);
            m.encode.push_back(result.timings.image_encode_seconds * 1e3);
            m.ttft.push_back(result.timings.time_to_first_token * 1e3);
        }
        print_row(o, path, m, device);
    }
    return 0;
}

}  // namespace prism::bench
