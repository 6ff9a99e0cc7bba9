// prism-bench image: the stages of answering about an image, per image: decoding the file,
// preprocessing it for the mmproj (resize, tiles, normalization), encoding every tile with the
// vision tower and projector, and the time to first token of a session given the image and a
// short question (load excluded; includes preprocessing, encoding and the prefill). Each run
// encodes once, inside the session (the encode column is the session's own image-encode time,
// preprocessing included), so a slow device pays for every tile once per run. Warm-up runs per
// image (--warmup, default 1), then repetitions, reported as mean ± sd in milliseconds.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/vision_encoder.hpp"
#include "prism/session.hpp"

namespace prism::bench {
namespace {

// Committed next to the other image fixtures (tools/make_bench_images.py); relative to the
// repository root, where the benchmark is meant to run.
const std::vector<std::string> kDefaultImages = {"tests/data/images/bench_512x512.jpg",
                                                 "tests/data/images/bench_1024x768.jpg"};

struct ImageOptions {
    std::string model, mmproj, device;
    std::vector<std::string> images;
    std::int64_t reps = 3;
    std::int64_t warmups = 1;
    std::int64_t n_ctx = 0;  // 0: the session's default, min(model's context, 4096)
    std::string prompt = "What is in this image?";
    bool json = false;
};

void image_usage() {
    std::fputs(
        "usage: prism-bench image --mmproj MMPROJ.gguf -m TEXT.gguf [--image PATH ...] [-r 3]\n"
        "                         [--warmup 1] [--json]\n"
        "  -m, --model FILE     text model GGUF\n"
        "  --mmproj FILE        its vision encoder (llama.cpp mmproj GGUF)\n"
        "  --image PATH         an image to measure (repeatable; default: the 512x512 and\n"
        "                       1024x768 JPEGs in tests/data/images, run from the repo root)\n"
        "  -r, --repetitions N  timed runs per image after the warm-up\n"
        "  --warmup N           untimed runs per image first (0 or more; default 1)\n"
        "  -p, --prompt TEXT    the question asked after the image (time to first token)\n"
        "  -c, --ctx-size N     the session's context (must hold the image's rows)\n"
        "  --device D           Vulkan device index or name part\n"
        "  --json               one JSON object per image\n",
        stdout);
}

// Returns false when only help was asked for.
bool parse(const std::vector<std::string>& args, ImageOptions& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            image_usage();
            return false;
        }
        if (a == "--json") {
            o.json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("image: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "-m" || a == "--model")
            o.model = v;
        else if (a == "--mmproj")
            o.mmproj = v;
        else if (a == "--image")
            o.images.push_back(v);
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
            throw Error("image: unknown option '" + a + "' (see prism-bench image --help)");
    }
    if (o.model.empty()) throw Error("image: no text model (-m TEXT.gguf)");
    if (o.mmproj.empty()) throw Error("image: no vision encoder (--mmproj MMPROJ.gguf)");
    if (o.images.empty()) o.images = kDefaultImages;
    return true;
}

struct Measured {
    std::vector<double> decode, preprocess, encode, ttft;  // milliseconds
    std::int32_t width = 0, height = 0;
    std::size_t tiles = 0;    // encoder inputs: idefics3 tiles + the global image; else 1
    std::int64_t tokens = 0;  // embedding rows of the image in the prompt
    std::int64_t prompt = 0;  // prompt rows of the session's turn, image rows included
};

std::string basename(const std::string& path) {
    return path.substr(path.find_last_of('/') + 1);
}

void print_row(const ImageOptions& o, const std::string& path, const Measured& m,
               const std::string& device, std::string_view projector) {
    const Stats d = stats(m.decode), p = stats(m.preprocess), e = stats(m.encode),
                t = stats(m.ttft);
    if (o.json) {
        std::printf(
            "{\"model\": \"%s\", \"mmproj\": \"%s\", \"projector\": \"%.*s\", \"device\": \"%s\", "
            "\"image\": \"%s\", \"width\": %d, \"height\": %d, \"tiles\": %zu, "
            "\"image_tokens\": %lld, \"prompt_tokens\": %lld, \"repetitions\": %lld, "
            "\"decode_ms\": %.3f, \"decode_sd\": %.3f, \"preprocess_ms\": %.3f, "
            "\"preprocess_sd\": %.3f, \"encode_ms\": %.3f, \"encode_sd\": %.3f, "
            "\"ttft_ms\": %.3f, \"ttft_sd\": %.3f}\n",
            o.model.c_str(), o.mmproj.c_str(), static_cast<int>(projector.size()), projector.data(),
            device.c_str(), path.c_str(), m.width, m.height, m.tiles,
            static_cast<long long>(m.tokens), static_cast<long long>(m.prompt),
            static_cast<long long>(o.reps), d.mean, d.sd, p.mean, p.sd, e.mean, e.sd, t.mean, t.sd);
    } else {
        const auto ms = [](const Stats& s) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "%.1f ± %.1f", s.mean, s.sd);
            return std::string(buf);
        };
        char size[32];
        std::snprintf(size, sizeof size, "%dx%d", m.width, m.height);
        // "±" is two bytes in UTF-8: one more byte of width keeps the columns aligned.
        std::printf("| %-24s | %9s | %5zu | %6lld | %17s | %17s | %19s | %19s |\n",
                    basename(path).c_str(), size, m.tiles, static_cast<long long>(m.tokens),
                    ms(d).c_str(), ms(p).c_str(), ms(e).c_str(), ms(t).c_str());
    }
    std::fflush(stdout);
}

}  // namespace

int image_command(const std::vector<std::string>& args) {
    ImageOptions o;
    if (!parse(args, o)) return 0;
    // Every image must decode before minutes go into loading and encoding.
    for (const auto& path : o.images) media::decode_image_file(path);

    // A standalone encoder gives the preprocessing rules and token counts (it encodes nothing);
    // the session loads its own copy of the mmproj, as an application would, and does the work.
    const gguf::File mmproj = gguf::File::open(o.mmproj);
    gpu::ContextOptions context_options;
    context_options.device = o.device;
    gpu::Context context(context_options);
    models::VisionEncoder encoder(context, mmproj);
    const auto& preprocess_config = encoder.hparams().preprocess;

    SessionOptions session_options;
    session_options.device = o.device;
    session_options.mmproj = o.mmproj;
    session_options.n_ctx = o.n_ctx;
    Session session = Session::load(o.model, session_options);

    const std::string device = context.device().name;
    const std::string_view projector = models::projector_type_name(encoder.hparams().projector);
    if (!o.json) {
        std::printf("model %s, mmproj %s (%.*s), %s, %lld runs after %lld warm-up(s), ms\n\n",
                    basename(o.model).c_str(), basename(o.mmproj).c_str(),
                    static_cast<int>(projector.size()), projector.data(), device.c_str(),
                    static_cast<long long>(o.reps), static_cast<long long>(o.warmups));
        std::printf("| %-24s | %9s | %5s | %6s | %16s | %16s | %18s | %18s |\n", "image", "size",
                    "tiles", "tokens", "decode", "preprocess", "encode (all tiles)",
                    "time to 1st token");
        std::printf("| %-24s | %9s | %5s | %6s | %16s | %16s | %18s | %18s |\n", "---",
                    "---:", "---:", "---:", "---:", "---:", "---:", "---:");
    }

    for (const auto& path : o.images) {
        Measured m;
        for (std::int64_t r = 0; r < o.warmups + o.reps; ++r) {
            const bool warm_up = r < o.warmups;
            std::shared_ptr<media::Image> image;
            const double decode = seconds(
                [&] { image = std::make_shared<media::Image>(media::decode_image_file(path)); });
            media::PreprocessedImage pre;
            const double preprocess =
                seconds([&] { pre = media::preprocess(*image, preprocess_config); });
            std::int64_t tokens = 0;
            for (const auto& tile : pre.images) tokens += encoder.tokens_for(tile);
            // From an empty cache each time, or the image's rows would be reused.
            session.reset();
            session.add_user({MessagePart::of_image(image), MessagePart::of_text(o.prompt)});
            GenerateOptions generate;
            generate.sampling.temperature = 0.0f;
            generate.max_tokens = 1;
            const GenerateResult result = session.generate(generate);
            m.width = image->width;
            m.height = image->height;
            m.tiles = pre.images.size();
            m.tokens = tokens;
            m.prompt = result.timings.prompt_tokens;
            if (warm_up) continue;
            m.decode.push_back(decode * 1e3);
            m.preprocess.push_back(preprocess * 1e3);
            m.encode.push_back(result.timings.image_encode_seconds * 1e3);
            m.ttft.push_back(result.timings.time_to_first_token * 1e3);
        }
        print_row(o, path, m, device, projector);
    }
    return 0;
}

}  // namespace prism::bench
