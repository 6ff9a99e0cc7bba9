// prism-bench gen: prompt processing (ppP) and token generation (tgN) speed of a decoder, in
// the manner of llama-bench: random token ids, a warm-up run, then repetitions from an empty
// cache, reported as mean ± standard deviation of tokens per second.

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "bench/stats.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/models/decoder.hpp"

namespace prism::bench {
namespace {

struct GenOptions {
    std::string model, device;
    std::int64_t n_prompt = 512, n_gen = 128, reps = 5, batch = 256;
    bool json = false;
};

void gen_usage() {
    std::fputs(
        "usage: prism-bench gen -m MODEL.gguf [-p 512] [-n 128] [-r 5] [--json]\n"
        "  -m, --model FILE     text model GGUF\n"
        "  -p, --n-prompt N     prompt tokens of the pp test (0 skips it)\n"
        "  -n, --n-gen N        generated tokens of the tg test (0 skips it)\n"
        "  -r, --repetitions N  timed runs after one warm-up (at least 1)\n"
        "  -b, --batch-size N   prefill chunk (default 256)\n"
        "  --device D           Vulkan device index or name part\n"
        "  --json               one JSON object per test\n",
        stdout);
}

}  // namespace

int gen_command(const std::vector<std::string>& args) {
    GenOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            gen_usage();
            return 0;
        }
        if (a == "--json") {
            o.json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("gen: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "-m" || a == "--model")
            o.model = v;
        else if (a == "-p" || a == "--n-prompt")
            o.n_prompt = app::integer_flag(a, v);
        else if (a == "-n" || a == "--n-gen")
            o.n_gen = app::integer_flag(a, v);
        else if (a == "-r" || a == "--repetitions")
            o.reps = app::integer_flag(a, v);
        else if (a == "-b" || a == "--batch-size")
            o.batch = app::integer_flag(a, v);
        else if (a == "--device")
            o.device = v;
        else
            throw Error("gen: unknown option '" + a + "' (see prism-bench gen --help)");
    }
    if (o.model.empty()) throw Error("gen: no model (-m MODEL.gguf)");
    // -n -1 (until the context is full) has no fixed length to time.
    if (o.n_gen < 0) throw Error("gen: -n -1 has no fixed length to time; give a count");

    const gguf::File file = gguf::File::open(o.model);
    gpu::ContextOptions context_options;
    context_options.device = o.device;
    gpu::Context context(context_options);
    models::DecoderOptions decoder_options;
    decoder_options.n_ctx = std::max<std::int64_t>({o.n_prompt, o.n_gen, 1});
    decoder_options.prefill_chunk = o.batch;
    models::Decoder decoder(context, file, decoder_options);

    std::mt19937 rng(1234);
    std::uniform_int_distribution<std::int32_t> pick(
        0, static_cast<std::int32_t>(decoder.n_vocab() - 1));
    const auto random_tokens = [&](std::int64_t n) {
        std::vector<std::int32_t> t(static_cast<std::size_t>(n));
        for (auto& id : t) id = pick(rng);
        return t;
    };

    struct Test {
        std::string name;
        std::int64_t tokens;
        std::function<void()> run;
    };
    std::vector<Test> tests;
    if (o.n_prompt > 0) {
        tests.push_back({"pp" + std::to_string(o.n_prompt), o.n_prompt, [&] {
                             decoder.truncate(0);
                             decoder.forward(random_tokens(o.n_prompt));
                         }});
    }
    if (o.n_gen > 0) {
        // One token at a time from an empty cache, as llama-bench's tg does.
        tests.push_back({"tg" + std::to_string(o.n_gen), o.n_gen, [&] {
                             decoder.truncate(0);
                             std::int32_t next = pick(rng);
                             for (std::int64_t i = 0; i < o.n_gen; ++i) {
                                 const auto logits = decoder.forward(std::span(&next, 1));
                                 next = static_cast<std::int32_t>(
                                     std::max_element(logits.begin(), logits.end()) -
                                     logits.begin());
                             }
                         }});
    }

    const std::string device = context.device().name;
    const double size_mib = static_cast<double>(decoder.weight_bytes()) / (1 << 20);
    if (!o.json) {
        std::printf("| %-24s | %10s | %-24s | %8s | %20s |\n", "model", "size MiB", "device",
                    "test", "t/s");
        std::printf("| %-24s | %10s | %-24s | %8s | %20s |\n", "---", "---:", "---",
                    "---:", "---:");
    }
    const std::string model_name = file.name();
    for (const Test& test : tests) {
        test.run();  // warm-up: pipelines, caches
        std::vector<double> rates;
        for (std::int64_t r = 0; r < o.reps; ++r) {
            rates.push_back(static_cast<double>(test.tokens) / seconds(test.run));
        }
        const Stats s = stats(rates);
        if (o.json) {
            std::printf(
                "{\"model\": \"%s\", \"architecture\": \"%s\", \"size_bytes\": %llu, \"device\": "
                "\"%s\", \"test\": \"%s\", \"n_prompt\": %lld, \"n_gen\": %lld, "
                "\"repetitions\": %lld, \"tokens_per_second\": %.3f, \"stddev\": %.3f}\n",
                model_name.c_str(), decoder.hparams().architecture.c_str(),
                static_cast<unsigned long long>(decoder.weight_bytes()), device.c_str(),
                test.name.c_str(), static_cast<long long>(test.name[0] == 'p' ? test.tokens : 0),
                static_cast<long long>(test.name[0] == 't' ? test.tokens : 0),
                static_cast<long long>(o.reps), s.mean, s.sd);
        } else {
            char rate[48];
            std::snprintf(rate, sizeof rate, "%.2f ± %.2f", s.mean, s.sd);
            std::printf("| %-24s | %10.2f | %-24s | %8s | %20s |\n",
                        model_name.substr(model_name.find_last_of('/') + 1).c_str(), size_mib,
                        device.c_str(), test.name.c_str(), rate);
        }
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace prism::bench
