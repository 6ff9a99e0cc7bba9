#include <cstdio>
#include <string>
#include <vector>

#include "bench/attention_bench.hpp"
#include "bench/bench.hpp"
#include "bench/bench_options.hpp"
#include "bench/case_timer.hpp"
#include "bench/report.hpp"
#include "prism/error.hpp"
#include "prism/gpu/context.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/matvec_fused.hpp"
#include "prism/quant.hpp"

namespace prism::bench {
namespace {

struct Weights {
    gpu::Buffer buffer;
    gpu::Tensor tensor;
};

Weights random_weights(gpu::Context& ctx, TensorType type, std::int64_t k, std::int64_t m,
                       std::uint32_t seed) {
    const TensorTypeInfo& info = tensor_type_info(type);
    Weights w{
        ctx.allocate(static_cast<std::uint64_t>(k * m) / info.block_elements * info.block_bytes),
        {}};
    const auto bytes = random_quantized(type, static_cast<std::size_t>(k * m), seed);
    w.tensor = gpu::Tensor::contiguous(w.buffer, type, {k, m});
    ctx.upload(w.tensor.memory, std::span<const std::uint8_t>(bytes));
    return w;
}

Weights f32_tensor(gpu::Context& ctx, std::int64_t k, std::int64_t n) {
    // The device buffer first: a shape too large for it is refused before host memory is used.
    Weights w{ctx.allocate(static_cast<std::uint64_t>(k * n) * 4), {}};
    std::vector<float> values(static_cast<std::size_t>(k * n));
    for (std::size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<float>(i % 97) / 97.0f - 0.5f;
    w.tensor = gpu::Tensor::contiguous(w.buffer, TensorType::F32, {k, n});
    ctx.upload(w.tensor.memory, std::span<const float>(values));
    return w;
}

void bench_one(gpu::Context& ctx, const OpsOptions& o, Report& report, const std::string& group,
               const std::string& model, TensorType type, std::int64_t k, std::int64_t m,
               std::int64_t n) {
    if (k % tensor_type_info(type).block_elements != 0) return;  // as converters do
    const std::string shape = std::to_string(k) + "x" + std::to_string(m) + "x" + std::to_string(n);
    const std::string label = group + " " + std::string(tensor_type_name(type)) + " " + shape;
    // Products of the sizes stay far below 2^63 when every size is below 2^31.
    constexpr std::int64_t kMaxSide = std::int64_t{1} << 31;
    if (k >= kMaxSide || m >= kMaxSide || n >= kMaxSide)
        throw Error(label + ": sizes must be below 2^31");
    Weights w, x, y;
    Timing t;
    try {
        w = random_weights(ctx, type, k, m, 1);
        x = f32_tensor(ctx, k, n);
        y = f32_tensor(ctx, m, n);
        t = time_case(
            ctx, [&](gpu::Recorder& rec) { ops::matmul(rec, w.tensor, x.tensor, y.tensor); },
            o.min_seconds);
    } catch (const Error& e) {
        throw Error(label + ": " + e.what());
    }
    const double bytes =
        static_cast<double>(w.tensor.bytes() + x.tensor.bytes() + y.tensor.bytes());
    const double flops =
        2.0 * static_cast<double>(k) * static_cast<double>(m) * static_cast<double>(n);
    report.add({group, model, std::string(tensor_type_name(type)), shape, t, bytes, flops});
}

// The two projections of a feed-forward block: up (hidden -> ffn) and down (ffn -> hidden).
void bench_matmuls(gpu::Context& ctx, const OpsOptions& o, Report& report, const std::string& group,
                   std::int64_t n) {
    for (const auto& model : model_shapes()) {
        if (!o.models.empty() && !o.models.count(model.name)) continue;
        for (const auto type : o.types) {
            bench_one(ctx, o, report, group, model.name, type, model.hidden, model.ffn, n);
            bench_one(ctx, o, report, group, model.name, type, model.ffn, model.hidden, n);
        }
    }
}

// A decode step's fused products at the same shapes: the normalised input times the gate and
// up rows with the gated activation, the down product added to the residual stream, and a
// product whose input first takes a post-norm residual add (Gemma 3).
void bench_fused(gpu::Context& ctx, const OpsOptions& o, Report& report) {
    using Output = ops::MatvecFusion::Output;
    for (const auto& model : model_shapes()) {
        if (!o.models.empty() && !o.models.count(model.name)) continue;
        for (const auto type : o.types) {
            struct Case {
                const char* name;
                std::int64_t k, m;
                Output output;
            };
            for (const Case c : {Case{"gated", model.hidden, 2 * model.ffn, Output::gated},
                                 Case{"add", model.ffn, model.hidden, Output::accumulate},
                                 Case{"post-norm", model.hidden, model.ffn, Output::store}}) {
                if (c.k % tensor_type_info(type).block_elements != 0) continue;
                const std::string shape = std::to_string(c.k) + "x" + std::to_string(c.m) + "x1";
                const std::string label = std::string("fused ") + c.name;
                const std::int64_t out_rows = c.output == Output::gated ? c.m / 2 : c.m;
                Weights w, x, y, norm, res, x_out;
                Timing t;
                try {
                    w = random_weights(ctx, type, c.k, c.m, 1);
                    x = f32_tensor(ctx, c.k, 1);
                    y = f32_tensor(ctx, out_rows, 1);
                    norm = f32_tensor(ctx, c.k, 1);
                    norm.tensor = gpu::Tensor::contiguous(norm.buffer, TensorType::F32, {c.k});
                    ops::MatvecFusion f;
                    f.output = c.output;
                    if (c.output == Output::gated) f.norm = &norm.tensor;
                    // Gemma 3's post-norm: the previous projection's output is normalised and
                    // added to the stream before this product's own norm.
                    if (std::string_view(c.name) == "post-norm") {
                        res = f32_tensor(ctx, c.k, 1);
                        x_out = f32_tensor(ctx, c.k, 1);
                        f.norm = &norm.tensor;
                        f.residual = &res.tensor;
                        f.residual_norm = &norm.tensor;
                        f.x_out = &x_out.tensor;
                    }
                    t = time_case(
                        ctx,
                        [&](gpu::Recorder& rec) {
                            ops::matvec_fused(rec, w.tensor, x.tensor, y.tensor, f);
                        },
                        o.min_seconds);
                } catch (const Error& e) {
                    throw Error(label + " " + shape + ": " + e.what());
                }
                const double bytes =
                    static_cast<double>(w.tensor.bytes() + x.tensor.bytes() + y.tensor.bytes());
                report.add({label, model.name, std::string(tensor_type_name(type)), shape, t, bytes,
                            2.0 * static_cast<double>(c.k) * static_cast<double>(c.m)});
            }
        }
    }
}

}  // namespace

int ops_command(const std::vector<std::string>& args) {
    const auto o = parse_ops_options(args);
    gpu::ContextOptions copts;
    copts.device = o.device;
    gpu::Context ctx(copts);
    Report report(ctx.device(), o.json);
    // With --shape alone, only those shapes run.
    auto wanted = [&](const char* g) {
        return o.only.count(g) || (o.only.empty() && o.shapes.empty());
    };
    if (wanted("matvec")) bench_matmuls(ctx, o, report, "matvec", 1);
    if (wanted("fused")) bench_fused(ctx, o, report);
    if (wanted("matmul")) bench_matmuls(ctx, o, report, "matmul", o.tokens);
    if (wanted("attention")) bench_attention(ctx, o, report);
    for (const auto& [k, m, n] : o.shapes) {
        for (const auto type : o.types)
            bench_one(ctx, o, report, n == 1 ? "matvec" : "matmul", "-", type, k, m, n);
    }
    return 0;
}

}  // namespace prism::bench
