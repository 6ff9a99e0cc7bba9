// prism-cli generate: runs a decoder on given token ids and prints the generated ids. A small
// hook to try the decoder before the tokenizer and the chat session exist.

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.hpp"
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
        "  -n, --n-predict N      tokens to generate (default 32)\n"
        "  -c, --ctx-size N       context length (default min(model, 4096))\n"
        "  -b, --batch-size N     prefill chunk (default 256)\n"
        "  --temp T               temperature, 0 is greedy (default 0)\n"
        "  --top-k K, --top-p P, --min-p P, --repeat-penalty R, --presence-penalty P, --seed S\n"
        "  --device D             Vulkan device index or name\n",
        stderr);
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
        if (i + 1 >= args.size()) {
            std::fprintf(stderr, "prism-cli generate: '%s' needs a value (or is unknown)\n",
                         a.c_str());
            usage();
            return 2;
        }
        const std::string& v = args[++i];
        if (a == "-m" || a == "--model")
            model = v;
        else if (a == "--tokens")
            tokens = v;
        else if (a == "-n" || a == "--n-predict")
            n_predict = std::stoll(v);
        else if (a == "-c" || a == "--ctx-size")
            options.n_ctx = std::stoll(v);
        else if (a == "-b" || a == "--batch-size")
            options.prefill_chunk = std::stoll(v);
        else if (a == "--temp")
            sampling.temperature = std::stof(v);
        else if (a == "--top-k")
            sampling.top_k = std::stoi(v);
        else if (a == "--top-p")
            sampling.top_p = std::stof(v);
        else if (a == "--min-p")
            sampling.min_p = std::stof(v);
        else if (a == "--repeat-penalty")
            sampling.repeat_penalty = std::stof(v);
        else if (a == "--presence-penalty")
            sampling.presence_penalty = std::stof(v);
        else if (a == "--seed")
            sampling.seed = std::stoull(v);
        else if (a == "--device")
            device = v;
        else {
            std::fprintf(stderr, "prism-cli generate: unknown option '%s'\n", a.c_str());
            usage();
            return 2;
        }
    }
    if (model.empty()) throw Error("generate: no model (-m MODEL.gguf)");
    const std::vector<std::int32_t> prompt = parse_ids(tokens);
    if (prompt.empty()) throw Error("generate: no prompt tokens (--tokens \"1 2 3\")");
    if (n_predict < 0) throw Error("generate: -n must not be negative");

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

    const auto t_gen = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < n_predict; ++i) {
        const std::int32_t next = sampler.sample(logits);
        sampler.accept(next);
        std::printf("%s%d", i == 0 ? "" : " ", next);
        std::fflush(stdout);
        if (i + 1 < n_predict) logits = decoder.forward(std::span(&next, 1));
    }
    std::printf("\n");
    const double gen_s = seconds_since(t_gen);
    const double decode_steps = static_cast<double>(n_predict > 1 ? n_predict - 1 : 0);
    std::fprintf(stderr,
                 "%s on %s: load %.3f s (%.2f MiB weights, %.2f MiB KV cache, ctx %lld)\n"
                 "prompt: %zu tokens in %.3f s (%.1f tok/s)\n"
                 "generation: %lld tokens in %.3f s (%.2f ms per decode step)\n",
                 decoder.hparams().architecture.c_str(), context.device().name.c_str(), load_s,
                 static_cast<double>(decoder.weight_bytes()) / (1 << 20),
                 static_cast<double>(decoder.kv_cache_bytes()) / (1 << 20),
                 static_cast<long long>(decoder.n_ctx()), prompt.size(), prompt_s,
                 static_cast<double>(prompt.size()) / prompt_s, static_cast<long long>(n_predict),
                 gen_s, decode_steps > 0 ? gen_s * 1000.0 / decode_steps : 0.0);
    return 0;
}

}  // namespace prism::cli
