#include "bench/bench_options.hpp"

#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "bench/bench.hpp"
#include "common/number_flags.hpp"

namespace prism::bench {

const std::vector<ModelShape>& model_shapes() {
    static const std::vector<ModelShape> shapes = {
        {"270M", 640, 2048, 4, 1, 256},    // Gemma 3 270M
        {"0.5B", 896, 4864, 14, 2, 64},    // Qwen2.5-0.5B
        {"1.5B", 1536, 8960, 12, 2, 128},  // Qwen2.5-1.5B
        {"4B", 2560, 10240, 8, 4, 256},    // Gemma 3 4B
    };
    return shapes;
}

void print_usage(std::FILE* to) {
    std::fputs(
        "usage: prism-bench gen -m MODEL.gguf [-p 512] [-n 128] [-r 5] [--json]  (gen --help)\n"
        "       prism-bench image --mmproj MMPROJ.gguf -m TEXT.gguf [--image PATH ...] [-r 3] "
        "[--json]"
        "  (image --help)\n"
        "       prism-bench video --mmproj MMPROJ.gguf -m TEXT.gguf [--video PATH ...] [-r 3] "
        "[--json]  (video --help)\n"
        "       prism-bench audio --mmproj MMPROJ.gguf [--clip PATH ...] [-r 3] [--json]  (audio "
        "--help)\n"
        "       prism-bench soak -m MODEL.gguf [--turns 500] [--interval 50] [--json]  (soak "
        "--help)\n"
        "       prism-bench vad [-m SILERO.bin] [--audio FILE] [-r 5] [--json]  (vad --help)\n"
        "       prism-bench asr -m WHISPER.gguf [--clip PATH ...] [-r 3]  (asr --help)\n"
        "       prism-bench live -m MODEL.gguf -w WHISPER.gguf [--clip PATH] [-r 3]  (live "
        "--help)\n"
        "       prism-bench aec [--seconds 60] [--tail-ms 200] [-r 5] [--json]  (aec --help)\n"
        "       prism-bench ops [options]\n"
        "  --device D          Vulkan device index or name part (default: PRISM_DEVICE or the best "
        "GPU)\n"
        "  --only LIST         groups to run: matvec,fused,matmul,attention (default all)\n"
        "  --types LIST        weight types, e.g. f16,q8_0,q4_k (default every computable type)\n"
        "  --models LIST       model shapes: 270M,0.5B,1.5B,4B,SigLIP-B (default all)\n"
        "  --contexts LIST     attention lengths (default 512,4096)\n"
        "  --attn-kernel K     prefill attention kernel: auto, gpu, cpu or decode (default auto)\n"
        "  --tokens N          tokens of the matrix-matrix cases (default 512)\n"
        "  --min-time S        seconds of repetitions per case (default 0.3)\n"
        "  --shape K,M,N       time W[K,M] x X[K,N] for every type (repeatable; alone, only "
        "these)\n"
        "  --json              one JSON object per line instead of a table\n",
        to);
}

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream in(s);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.push_back(item);
    }
    return out;
}

}  // namespace

OpsOptions parse_ops_options(const std::vector<std::string>& args) {
    OpsOptions o;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw std::runtime_error(a + " needs a value");
            return args[++i];
        };
        if (a == "--device") {
            o.device = value();
        } else if (a == "--only") {
            for (const auto& g : split(value())) {
                if (g != "matvec" && g != "fused" && g != "matmul" && g != "attention") {
                    throw std::runtime_error("--only: unknown group '" + g + "'");
                }
                o.only.insert(g);
            }
        } else if (a == "--types") {
            for (const auto& t : split(value())) {
                auto type = parse_tensor_type(t);
                if (!type || !tensor_type_info(*type).computable) {
                    throw std::runtime_error("--types: '" + t +
                                             "' is not a weight type Prism computes with");
                }
                o.types.push_back(*type);
            }
        } else if (a == "--models") {
            for (const auto& m : split(value())) o.models.insert(m);
        } else if (a == "--contexts") {
            o.contexts.clear();
            for (const auto& c : split(value()))
                o.contexts.push_back(app::integer_flag("--contexts", c));
        } else if (a == "--attn-kernel") {
            o.attention_kernel = value();
            if (o.attention_kernel != "auto" && o.attention_kernel != "gpu" &&
                o.attention_kernel != "cpu" && o.attention_kernel != "decode") {
                throw std::runtime_error("--attn-kernel takes auto, gpu, cpu or decode");
            }
        } else if (a == "--tokens") {
            o.tokens = app::integer_flag(a, value());
        } else if (a == "--min-time") {
            o.min_seconds = app::real_flag(a, value());
        } else if (a == "--shape") {
            const auto parts = split(value());
            if (parts.size() != 3) throw std::runtime_error("--shape takes K,M,N");
            o.shapes.push_back({app::integer_flag(a, parts[0]), app::integer_flag(a, parts[1]),
                                app::integer_flag(a, parts[2])});
        } else if (a == "--json") {
            o.json = true;
        } else {
            throw std::runtime_error("unknown option '" + a + "' (see prism-bench --help)");
        }
    }
    if (o.types.empty()) {
        const auto all = computable_tensor_types();
        o.types.assign(all.begin(), all.end());
    }
    return o;
}

}  // namespace prism::bench
