// prism-cli generate: runs a decoder on given token ids and prints the generated ids. A small
// hook to try the decoder before the tokenizer and the chat session exist.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "common/number_flags.hpp"
#include "common/standard_streams.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/models/decoder.hpp"
#include "prism/text/sampler.hpp"

namespace prism::cli {
namespace {

void usage() {
    std::fputs(
        "usage: prism-cli generate -m MODEL.gguf --tokens \"1 2 3\" [-n 32] [options]\n"
        "  -m, --model FILE       text model GGUF\n"
        "  --tokens IDS           prompt token ids, separated by spaces or commas\n"
        "  -n, --n-predict N      tokens to generate: -1 until the context is full, 0 none\n"
        "                         (default 32)\n"
        "  -c, --ctx-size N       context length, 0 the model's at most 4096 (default 0)\n"
        "  -b, --batch-size N     prefill chunk, at least 1 (default 256)\n"
        "  --swa-full             sliding-window layers keep every row, not a ring of their\n"
        "                         window plus one chunk\n"
        "  --temp T               temperature, at least 0; 0 is greedy (default 0)\n"
        "  --top-k K, --top-p P, --min-p P, --repeat-penalty R, --presence-penalty P,\n"
        "  --frequency-penalty P, --seed S: as for prism-cli run\n"
        "  --device D             Vulkan device index or name\n",
        stdout);
}

std::vector<std::int32_t> parse_ids(const std::string& text) {
    std::vector<std::int32_t> ids;
    std::string current;
    const auto flush = [&] {
        if (current.empty()) return;
        std::size_t used = 0;
        long long value = 0;
        try {
            value = std::stoll(current, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != current.size() || value < 0 || value > INT32_MAX)
            throw Error("--tokens: '" + current + "' is not a token id");
        ids.push_back(static_cast<std::int32_t>(value));
        current.clear();
    };
    for (const char ch : text) {
        if (ch == ' ' || ch == ',' || ch == '\t') {
            flush();
        } else {
            current += ch;
        }
    }
    flush();
    return ids;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int generate_command(const std::vector<std::string>& args) {
    std::string model, tokens, device;
    std::int64_t n_predict = 32;
    models::DecoderOptions options;
    text::SamplerSettings sampling;
    sampling.temperature = 0.0f;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "-h" || a == "--help") {
            usage();
            return 0;
        }
        if (a == "--swa-full") {
            options.full_sliding_cache = true;
            continue;
        }
        if (i + 1 >= args.size())
            throw Error("generate: '" + a + "' needs a value (or is unknown)");
        const std::string& v = args[++i];
        const auto real = [&] { return static_cast<float>(app::real_flag(a, v)); };
        // The rules of these flags end at 2^31 - 1.
        const auto int32 = [&] { return static_cast<std::int32_t>(app::integer_flag(a, v)); };
        if (a == "-m" || a == "--model")
            model = v;
        else if (a == "--tokens")
            tokens = v;
        else if (a == "-n" || a == "--n-predict")
            n_predict = app::integer_flag(a, v);
        else if (a == "-c" || a == "--ctx-size")
            options.n_ctx = app::integer_flag(a, v);
        else if (a == "-b" || a == "--batch-size")
            options.prefill_chunk = app::integer_flag(a, v);
        else if (a == "--temp")
            sampling.temperature = real();
        else if (a == "--top-k")
            sampling.top_k = int32();
        else if (a == "--top-p")
            sampling.top_p = real();
        else if (a == "--min-p")
            sampling.min_p = real();
        else if (a == "--repeat-penalty")
            sampling.repeat_penalty = real();
        else if (a == "--repeat-last-n")
            sampling.penalty_last_n = int32();
        else if (a == "--presence-penalty")
            sampling.presence_penalty = real();
        else if (a == "--frequency-penalty")
            sampling.frequency_penalty = real();
        else if (a == "--seed")
            sampling.seed = app::unsigned_flag(a, v);
        else if (a == "--device")
            device = v;
        else
            throw Error("generate: unknown option '" + a + "' (see prism-cli generate --help)");
    }
    if (model.empty()) throw Error("generate: no model (-m MODEL.gguf)");
    const std::vector<std::int32_t> prompt = parse_ids(tokens);
    if (prompt.empty()) throw Error("generate: no prompt tokens (--tokens \"1 2 3\")");

    const auto t_load = std::chrono::steady_clock::now();
    gpu::ContextOptions context_options;
    context_options.device = device;
    gpu::Context context(context_options);
    models::Decoder decoder(context, gguf::File::open(model), options);
    const double load_s = seconds_since(t_load);

    text::Sampler sampler(sampling);
    for (auto t : prompt) sampler.accept(t);
    const auto t_prompt = std::chrono::steady_clock::now();
    std::vector<float> logits = decoder.forward(prompt);
    const double prompt_s = seconds_since(t_prompt);

    // -1: until the context is full (the last token sampled is printed but has no room).
    const auto t_gen = std::chrono::steady_clock::now();
    std::int64_t generated = 0;
    bool context_full = false;
    while (n_predict < 0 || generated < n_predict) {
        const std::int32_t next = sampler.sample(logits);
        sampler.accept(next);
        const std::string text = (generated == 0 ? "" : " ") + std::to_string(next);
        app::write_stdout_or_throw(text);
        ++generated;
        context_full = decoder.n_past() >= decoder.n_ctx();
        if (context_full || generated == n_predict) break;
        logits = decoder.forward(std::span(&next, 1));
    }
    app::write_stdout_or_throw("\n");
    if (context_full)
        std::fprintf(stderr,
                     "prism-cli: the context (%lld tokens) is full; generation stops here\n",
                     static_cast<long long>(decoder.n_ctx()));
    const double gen_s = seconds_since(t_gen);
    const double decode_steps = static_cast<double>(generated > 1 ? generated - 1 : 0);
    std::fprintf(stderr,
                 "%s on %s: load %.3f s (%.2f MiB weights, %.2f MiB KV cache, ctx %lld)\n"
                 "prompt: %zu tokens in %.3f s (%.1f tok/s)\n"
                 "generation: %lld tokens in %.3f s (%.2f ms per decode step)\n",
                 decoder.hparams().architecture.c_str(), context.device().name.c_str(), load_s,
                 static_cast<double>(decoder.weight_bytes()) / (1 << 20),
                 static_cast<double>(decoder.kv_cache_bytes()) / (1 << 20),
                 static_cast<long long>(decoder.n_ctx()), prompt.size(), prompt_s,
                 static_cast<double>(prompt.size()) / prompt_s, static_cast<long long>(generated),
                 gen_s, decode_steps > 0 ? gen_s * 1000.0 / decode_steps : 0.0);
    return 0;
}

}  // namespace prism::cli
