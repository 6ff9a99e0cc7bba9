// prism-bench soak: many chat turns in one Session, as a long-running app holds one, to show that
// nothing grows with the number of turns. Every --interval turns it reports host memory (the
// process's resident set), the device memory the session's buffers hold, the KV cache's fill and
// the generation speed of those turns. A conversation that would not leave room for the next
// answer is cleared and a new one begins in the same session, as a user starting a new chat would.
// At the end it compares the resident set after the warm-up turns with the last report against
// --rss-bound-mib and says whether memory stayed flat.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench.hpp"
#include "common/number_flags.hpp"
#include "prism/error.hpp"
#include "prism/session.hpp"

namespace prism::bench {
namespace {

struct SoakOptions {
    std::string model, device;
    std::int64_t turns = 500, interval = 50, n_gen = 32, n_ctx = 512, warmup = 50;
    double rss_bound_mib = 8.0;
    bool json = false;
};

void soak_usage() {
    std::fputs(
        "usage: prism-bench soak -m MODEL.gguf [--turns 500] [--interval 50] [-n 32] [-c 512]\n"
        "                        [--warmup 50] [--rss-bound-mib 8] [--json]\n"
        "  -m, --model FILE      text model GGUF (the demo model: "
        "resources/models/stories260K.gguf)\n"
        "  --turns N             chat turns in the one session\n"
        "  --interval N          turns between reports\n"
        "  -n, --n-gen N         most tokens per answer\n"
        "  -c, --ctx-size N      the session's context; a conversation that fills it starts over\n"
        "  --warmup N            turns before the resident-set baseline is taken\n"
        "  --rss-bound-mib X     most resident-set growth after the warm-up called flat\n"
        "  --device D            Vulkan device index or name part\n"
        "  --json                one JSON object per report\n",
        stdout);
}

// Returns false when only help was asked for.
bool parse(const std::vector<std::string>& args, SoakOptions& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            soak_usage();
            return false;
        }
        if (a == "--json") {
            o.json = true;
            continue;
        }
        if (i + 1 >= args.size()) throw Error("soak: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        if (a == "-m" || a == "--model") {
            o.model = v;
        } else if (a == "--turns") {
            o.turns = app::integer_flag(a, v);
        } else if (a == "--interval") {
            o.interval = app::integer_flag(a, v);
        } else if (a == "-n" || a == "--n-gen") {
            o.n_gen = app::integer_flag(a, v);
        } else if (a == "-c" || a == "--ctx-size") {
            o.n_ctx = app::integer_flag(a, v);
        } else if (a == "--warmup") {
            o.warmup = app::integer_flag(a, v);
        } else if (a == "--rss-bound-mib") {
            o.rss_bound_mib = app::real_flag(a, v);
        } else if (a == "--device") {
            o.device = v;
        } else {
            throw Error("soak: unknown option '" + a + "' (prism-bench soak --help)");
        }
    }
    if (o.model.empty()) throw Error("soak: no model (-m MODEL.gguf)");
    // Every turn must produce an answer and leave room for the next question.
    if (o.n_gen < 1) throw Error("soak: -n must be at least 1 (tokens per answer)");
    return true;
}

// The process's resident set in MiB, from /proc/self/status (VmRSS, in kB).
double resident_mib() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) {
            std::istringstream fields(line.substr(6));
            double kib = 0;
            fields >> kib;
            return kib / 1024.0;
        }
    }
    return 0;
}

// Questions of different lengths, so that prefill sizes and cache reuse vary from turn to turn.
std::string question(std::int64_t turn) {
    static const std::vector<std::string> subjects = {
        "a cat who found a red ball", "the moon and a small boat",
        "two friends who shared a big cake in the park on a sunny day", "a dog",
        "a girl named Lily who wanted to fly a kite higher than the trees"};
    return "Tell me a story about " + subjects[static_cast<std::size_t>(turn) % subjects.size()] +
           " (" + std::to_string(turn) + ").";
}

struct Report {
    std::int64_t turn = 0, conversations = 0, kv_tokens = 0;
    double rss_mib = 0, device_mib = 0, tokens_per_second = 0;
};

void print_report(const Report& r, const SoakOptions& o) {
    if (o.json) {
        std::printf(
            "{\"turn\": %lld, \"conversations\": %lld, \"rss_mib\": %.2f, \"device_mib\": %.2f, "
            "\"kv_tokens\": %lld, \"tokens_per_second\": %.2f}\n",
            static_cast<long long>(r.turn), static_cast<long long>(r.conversations), r.rss_mib,
            r.device_mib, static_cast<long long>(r.kv_tokens), r.tokens_per_second);
    } else {
        std::printf("| %6lld | %13lld | %11.2f | %14.2f | %9lld | %8.1f |\n",
                    static_cast<long long>(r.turn), static_cast<long long>(r.conversations),
                    r.rss_mib, r.device_mib, static_cast<long long>(r.kv_tokens),
                    r.tokens_per_second);
    }
    std::fflush(stdout);
}

}  // namespace

int soak_command(const std::vector<std::string>& args) {
    SoakOptions o;
    if (!parse(args, o)) return 0;
    SessionOptions session_options;
    session_options.device = o.device;
    session_options.n_ctx = o.n_ctx;
    Session session = Session::load(o.model, session_options);

    if (!o.json) {
        std::printf("model %s on %s, %lld turns, answers of at most %lld tokens, context %lld\n\n",
                    o.model.c_str(), std::string(session.device_name()).c_str(),
                    static_cast<long long>(o.turns), static_cast<long long>(o.n_gen),
                    static_cast<long long>(session.n_ctx()));
        std::printf("| %6s | %13s | %11s | %14s | %9s | %8s |\n", "turn", "conversations",
                    "RSS MiB", "device MiB", "KV tokens", "tok/s");
        std::printf("| %6s | %13s | %11s | %14s | %9s | %8s |\n",
                    "---:", "---:", "---:", "---:", "---:", "---:");
    }

    GenerateOptions generate;
    generate.max_tokens = o.n_gen;
    // Room for the longest question, the template's markers and a whole answer.
    const std::int64_t headroom = o.n_gen + 96;
    std::int64_t conversations = 1, interval_tokens = 0;
    double interval_seconds = 0, baseline_rss = -1, last_rss = 0;
    for (std::int64_t turn = 1; turn <= o.turns; ++turn) {
        if (session.n_cached() + headroom > session.n_ctx()) {
            session.clear_messages();
            ++conversations;
        }
        session.add_user(question(turn));
        generate.sampling.seed = static_cast<std::uint64_t>(turn);
        const GenerateResult result = session.generate(generate);
        interval_tokens += result.timings.generated_tokens;
        interval_seconds += result.timings.generation_seconds + result.timings.prompt_seconds;

        if (turn == o.warmup) baseline_rss = resident_mib();
        if (turn % o.interval == 0 || turn == o.turns) {
            Report r;
            r.turn = turn;
            r.conversations = conversations;
            r.rss_mib = last_rss = resident_mib();
            r.device_mib = static_cast<double>(session.device_memory_in_use()) / (1 << 20);
            r.kv_tokens = session.n_cached();
            r.tokens_per_second =
                interval_seconds > 0 ? static_cast<double>(interval_tokens) / interval_seconds : 0;
            print_report(r, o);
            interval_tokens = 0;
            interval_seconds = 0;
        }
    }
    if (baseline_rss < 0) {
        std::fprintf(stderr, "prism-bench soak: fewer turns than --warmup; no baseline\n");
        return 0;
    }
    const double growth = last_rss - baseline_rss;
    const bool flat = growth <= o.rss_bound_mib;
    if (o.json) {
        std::printf(
            "{\"rss_baseline_mib\": %.2f, \"rss_growth_mib\": %.2f, \"bound_mib\": %.2f, "
            "\"flat\": %s}\n",
            baseline_rss, growth, o.rss_bound_mib, flat ? "true" : "false");
    } else {
        std::printf(
            "\nresident set after turn %lld: %.2f MiB, at the end: %.2f MiB (%+.2f MiB; "
            "bound %.2f MiB): %s\n",
            static_cast<long long>(o.warmup), baseline_rss, last_rss, growth, o.rss_bound_mib,
            flat ? "flat" : "GROWING");
    }
    return flat ? 0 : 1;
}

}  // namespace prism::bench
