#include "prism/models/decoder.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "models/prefill_chunks.hpp"
#include "models/tensor_views.hpp"
#include "models/weights.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/attention.hpp"
#include "prism/ops/attention_inputs.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/copy.hpp"
#include "prism/ops/gated.hpp"
#include "prism/ops/get_rows.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/matvec_fused.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/rope.hpp"
#include "prism/ops/scale.hpp"

namespace prism::models {
namespace {

constexpr std::int64_t kDefaultMaxContext = 4096;

// Cache slots p0 .. p0 + n - 1 of a token-major f16 cache [padded, kv_heads, n_ctx], seen as
// [dim, kv_heads, n] so that a copy from the K/V projection writes them.
gpu::Tensor cache_slots(const gpu::Tensor& cache, std::int64_t dim, std::int64_t p0,
                        std::int64_t n) {
    gpu::Tensor t = cache;
    const std::uint64_t token_bytes = cache.nb[2];
    t.memory = cache.memory.sub(token_bytes * static_cast<std::uint64_t>(p0),
                                token_bytes * static_cast<std::uint64_t>(n));
    t.ne = {dim, cache.ne[1], n, 1};
    t.nb = {2, cache.nb[1], token_bytes, token_bytes * static_cast<std::uint64_t>(n)};
    return t;
}

// What one chunk of a forward pass processes; positions are already resolved (one per row,
// or four planes for M-RoPE) and the span is in absolute cache rows.
struct Chunk {
    std::span<const std::int32_t> tokens;     // negative: an embedding row
    const gpu::Tensor* embeddings = nullptr;  // the input's, whole
    std::int64_t first_embedding = 0;         // its column for this chunk's first negative token
    std::span<const std::int32_t> positions;
    std::int64_t span_begin = 0, span_end = 0;
};

// An explicit option wins, then PRISM_DECODE (for benchmarks and tests), else the fused path:
// it is at least as fast as the split one on CPU devices too (docs/benchmarks.md).
DecodePath resolve_decode_path(DecodePath requested) {
    if (requested != DecodePath::automatic) return requested;
    if (const char* env = std::getenv("PRISM_DECODE"); env != nullptr && *env != 0) {
        const std::string_view v(env);
        if (v == "fused") return DecodePath::fused;
        if (v == "split") return DecodePath::split;
        throw Error("PRISM_DECODE must be fused or split, got '" + std::string(v) + "'");
    }
    return DecodePath::fused;
}

std::int64_t resolved_n_ctx(const DecoderHParams& h, const DecoderOptions& options) {
    return options.n_ctx > 0 ? options.n_ctx : std::min(h.n_ctx_train, kDefaultMaxContext);
}

}  // namespace

std::int64_t kv_cache_rows(const DecoderHParams& h, std::size_t layer,
                           const DecoderOptions& options) {
    const std::int64_t n_ctx = resolved_n_ctx(h, options);
    const ArchitectureTraits* traits = find_architecture(h.architecture);
    // A ring's slots follow rows, and M-RoPE positions are not rows; no such model slides.
    if (options.full_sliding_cache || h.n_swa <= 0 || layer >= h.swa_layers.size() ||
        !h.swa_layers[layer] || (traits != nullptr && traits->rope_mode == ops::RopeMode::multi))
        return n_ctx;
    // A chunk of n rows at p0 writes rows p0 .. p0 + n - 1 and its queries see rows from
    // p0 - window + 1 on: window + n - 1 slots hold all of them.
    const std::int64_t chunk = std::clamp<std::int64_t>(options.prefill_chunk, 1, n_ctx);
    return std::min(n_ctx, h.n_swa + chunk - 1);
}

struct Decoder::Impl {
    gpu::Context& ctx;
    DecoderHParams h;
    const ArchitectureTraits* traits = nullptr;
    DecoderWeights w;
    std::int64_t n_ctx = 0;
    std::int64_t chunk = 0;
    std::int64_t hd_pad = 0;
    std::int64_t n_past = 0;
    DecodePath decode_path = DecodePath::fused;
    // next_after[i]: one more than the largest position of rows 0..i, so that truncate() can
    // restore next_position() (M-RoPE positions are not row indices).
    std::vector<std::int32_t> next_after;

    std::vector<gpu::Buffer> cache_buffers;
    // Per layer, f16 [hd_pad, n_head_kv, rows]: rows = n_ctx, or a sliding-window layer's ring
    // of ring_rows slots (row r in slot r % ring_rows).
    std::vector<gpu::Tensor> k_cache, v_cache;
    std::int64_t ring_rows = 0;  // 0: no layer is a ring
    // Which row each ring slot last received, to tell whether a truncation keeps the window.
    std::vector<std::int64_t> slot_row;

    // Activations for up to `chunk` tokens, allocated once.
    // qkv: the fused projection's rows; q_rot: rotated queries, [hd_pad, n_head] per token; gu:
    // gate then up rows; x_alt: the other half of Gemma 3's residual ping-pong in decode steps.
    gpu::Buffer ids, pos, x, x_alt, xn, qkv, q_rot, attn, attn_flat, o, gu, act, logits;
    gpu::Buffer every_logit;  // [n_vocab, chunk], allocated when first asked for
    gpu::Buffer scratch;

    Impl(gpu::Context& context, const gguf::File& file, const DecoderOptions& options)
        : ctx(context), h(read_hparams(file)), traits(find_architecture(h.architecture)) {
        // A context longer than the trained one is allowed, as in llama.cpp (the session
        // warns that quality may drop past it); positions are int32 in the shaders.
        n_ctx = resolved_n_ctx(h, options);
        if (options.n_ctx < 0 || n_ctx > INT32_MAX)
            throw Error("context length " + std::to_string(options.n_ctx) +
                        " must be from 0 to 2147483647");
        if (options.prefill_chunk < 1)
            throw Error("prefill chunk must be at least 1 token, got " +
                        std::to_string(options.prefill_chunk));
        chunk = std::min(options.prefill_chunk, n_ctx);
        decode_path = resolve_decode_path(options.decode_path);
        // Heads the kernels cannot take as they are (tiny test models) are zero-padded in Q and
        // in the cache.
        hd_pad = ops::attention_head_dim(h.head_dim);
        // The pipelines compile on worker threads while the weights upload: on CPU drivers
        // compiling is most of a cold start.
        load_weights(ctx, file, h, *traits, w, options.upload_progress, [this, &options] {
            allocate_cache(options);
            allocate_activations();
            warm_pipelines();
        });
    }

    // Records, without submitting, a short prompt from an empty cache and then a decode step,
    // so that the pipelines a first answer uses exist before it needs them. On devices that
    // compile a shader at its first dispatch the order they are made in is the order they are
    // compiled ahead (gpu::ShaderPrimer), so the prompt's come first. Other sizes (a prompt
    // long enough for the larger attention and matrix tiles, a longer cache) compile their
    // variants when first met.
    void warm_pipelines() {
        const auto record_rows = [this](std::int64_t n) {
            const std::vector<std::int32_t> tokens(static_cast<std::size_t>(n), 0);
            const std::vector<std::int32_t> positions(
                static_cast<std::size_t>(n * (mrope() ? 4 : 1)), 0);
            Chunk c;
            c.tokens = tokens;
            c.positions = positions;
            auto rec = ctx.record();
            record_chunk(rec, c, 0, false);
        };
        const auto ahead = ctx.build_ahead_scope();
        // A chat's first prompt: a template, perhaps a system prompt, a question.
        constexpr std::int64_t kFirstPromptRows = 32;
        const std::int64_t prompt = std::min(chunk, kFirstPromptRows);
        if (prompt > ops::decode_max_columns(ctx.device())) record_rows(prompt);
        record_rows(1);
    }

    bool padded() const { return hd_pad != h.head_dim; }

    void allocate_cache(const DecoderOptions& options) {
        auto rec = ctx.record();
        for (std::int64_t il = 0; il < h.n_layer; ++il) {
            const std::int64_t rows = kv_cache_rows(h, static_cast<std::size_t>(il), options);
            if (rows < n_ctx) ring_rows = rows;  // the same for every sliding layer
            const std::uint64_t bytes =
                static_cast<std::uint64_t>(hd_pad * h.n_head_kv * rows) * 2;  // f16
            for (auto* list : {&k_cache, &v_cache}) {
                cache_buffers.push_back(ctx.allocate(bytes));
                list->push_back(gpu::Tensor::contiguous(cache_buffers.back(), TensorType::F16,
                                                        {hd_pad, h.n_head_kv, rows}));
                // The padding lanes are never written and must read as zeros.
                rec.fill_zero(cache_buffers.back().range());
            }
        }
        ctx.submit(rec);
        slot_row.assign(static_cast<std::size_t>(ring_rows), -1);
    }

    void allocate_activations() {
        const std::int64_t q_dim = h.n_head * h.head_dim, kv_dim = h.n_head_kv * h.head_dim;
        ids = ctx.allocate(4 * static_cast<std::uint64_t>(chunk));
        pos = ctx.allocate(4 * 4 * static_cast<std::uint64_t>(chunk));  // up to 4 planes
        x = ctx.allocate(f32_bytes(h.n_embd * chunk));
        xn = ctx.allocate(f32_bytes(h.n_embd * chunk));
        qkv = ctx.allocate(f32_bytes((q_dim + 2 * kv_dim) * chunk));
        q_rot = ctx.allocate(f32_bytes(hd_pad * h.n_head * chunk));
        attn = ctx.allocate(f32_bytes(hd_pad * h.n_head * chunk));
        o = ctx.allocate(f32_bytes(h.n_embd * chunk));
        gu = ctx.allocate(f32_bytes(2 * h.n_ff * chunk));
        act = ctx.allocate(f32_bytes(h.n_ff * chunk));
        logits = ctx.allocate(f32_bytes(h.n_vocab));
        if (traits->post_norms && decode_path == DecodePath::fused)
            x_alt = ctx.allocate(f32_bytes(h.n_embd * std::min(chunk, ops::kMatvecMaxColumns)));
        if (padded()) attn_flat = ctx.allocate(f32_bytes(q_dim * chunk));
        const std::uint64_t scratch_bytes = ops::attention_scratch_bytes(
            ctx.device(), hd_pad, h.n_head, 1, n_ctx, attention_params(n_ctx - 1));
        if (scratch_bytes > 0) scratch = ctx.allocate(scratch_bytes);
    }

    bool sliding(std::size_t il) const { return h.n_swa > 0 && h.swa_layers[il]; }

    ops::AttentionParams attention_params(std::int64_t p0, bool swa = false) const {
        ops::AttentionParams p;
        p.mask = swa ? ops::AttentionMask::sliding_window : ops::AttentionMask::causal;
        p.window = swa ? h.n_swa : 0;
        p.q_pos0 = p0;
        // Explicit, because a padded head must still be scaled by its real size. Gemma 3
        // scales by query_pre_attn_scalar^-1/2, which no GGUF key carries; it equals key_length
        // on every size but 27B (n_embd / n_head there), which llama.cpp special-cases and
        // Prism does not yet.
        p.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(h.head_dim)));
        return p;
    }

    // Sliding-window layers of gemma3 rotate with their own base and without the global
    // layers' context scaling (llama.cpp: rope_freq_base_train_swa, freq_scale 1).
    ops::RopeParams rope_params(bool swa = false) const {
        ops::RopeParams p;
        p.mode = traits->rope_mode;
        p.n_rot = static_cast<std::int32_t>(h.n_rot);
        p.freq_base = swa ? h.rope_freq_base_swa : h.rope_freq_base;
        p.freq_scale = swa ? 1.0f : h.rope_freq_scale;
        p.sections = h.rope_sections;
        return p;
    }

    bool mrope() const { return traits->rope_mode == ops::RopeMode::multi; }
    std::int64_t next_position() const { return n_past == 0 ? 0 : next_after.back(); }

    // What every layer of one chunk needs beyond its weights.
    struct Step {
        std::int64_t n = 0, p0 = 0, span_begin = 0, span_end = 0;
        gpu::Tensor positions;
    };

    // The residual stream of a fused pass: `x` holds it; with post-norms (Gemma 3) the last
    // projection's output `o` still waits to be normalised by `pending` and added, which the
    // next product's prologue does while writing the sum to `other`.
    struct Stream {
        gpu::Tensor x, other;
        const gpu::Tensor* pending = nullptr;
    };

    gpu::Buffer& every_logit_buffer() {
        if (!every_logit) every_logit = ctx.allocate(f32_bytes(h.n_vocab * chunk));
        return every_logit;
    }

    std::int64_t qkv_rows() const { return (h.n_head + 2 * h.n_head_kv) * h.head_dim; }

    // Rope, per-head norms, the query out and K/V into the cache, then attention: everything
    // between the Q/K/V projection and the output projection. Returns the projection's input.
    gpu::Tensor record_attention(gpu::Recorder& rec, const LayerWeights& l, std::size_t il,
                                 const Step& s, bool single_dispatch) {
        const std::int64_t n = s.n;
        ops::AttentionInputParams in;
        in.rope = rope_params(sliding(il));
        in.freq_factors = w.rope_freqs ? &*w.rope_freqs : nullptr;
        in.q_norm = l.q_norm ? &*l.q_norm : nullptr;
        in.k_norm = l.k_norm ? &*l.k_norm : nullptr;
        in.eps = h.rms_eps;
        const auto q_t = f32(q_rot, {hd_pad, h.n_head, n});
        const auto qkv_t = f32(qkv, {qkv_rows(), n});
        const std::int64_t slots = k_cache[il].ne[2];
        // A ring's slots may wrap inside the chunk: the rows past the ring's end go to its
        // start, in a second dispatch (a full cache never wraps: p0 + n <= n_ctx). Only whole
        // chunks keep M-RoPE's plane-major positions, and those never wrap.
        const std::int64_t slot0 = s.p0 % slots;
        const std::int64_t first = std::min(n, slots - slot0);
        for (const auto [from, count, slot] : {std::array{std::int64_t{0}, first, slot0},
                                               std::array{first, n - first, std::int64_t{0}}}) {
            if (count == 0) continue;
            ops::attention_inputs(rec, columns(qkv_t, from, count),
                                  count == n ? s.positions : narrow(s.positions, 0, from, count),
                                  narrow(q_t, 2, from, count),
                                  cache_slots(k_cache[il], h.head_dim, slot, count),
                                  cache_slots(v_cache[il], h.head_dim, slot, count), in);
        }
        ops::AttentionParams attention = attention_params(s.p0, sliding(il));
        attention.span_begin = s.span_begin;
        attention.span_end = s.span_end;
        const std::int64_t rows = s.p0 + n;
        if (rows > slots) attention.kv_rows = rows;
        // Splitting the keys adds a merge dispatch; a decode step keeps attention to one.
        if (single_dispatch) attention.kv_splits = 1;
        const std::optional<gpu::Tensor> scratch_t =
            scratch ? std::optional(f32(scratch, {static_cast<std::int64_t>(scratch.size() / 4)}))
                    : std::nullopt;
        const auto attn_t = f32(attn, {hd_pad, h.n_head, n});
        const std::int64_t view = std::min(rows, slots);
        ops::attention(rec, q_t.permuted(0, 2, 1, 3), ops::kv_cache_view(k_cache[il], view),
                       ops::kv_cache_view(v_cache[il], view), attn_t, attention,
                       scratch_t ? &*scratch_t : nullptr);
        const std::int64_t q_dim = h.n_head * h.head_dim;
        if (!padded()) return f32(attn, {q_dim, n});
        ops::copy(rec, head_prefix(attn_t, h.head_dim), f32(attn_flat, {h.head_dim, h.n_head, n}));
        return f32(attn_flat, {q_dim, n});
    }

    // The layers of a chunk of up to decode_max_columns() tokens: every norm, bias, residual add
    // and gated activation rides on a matrix-vector product, so a layer is the Q/K/V product,
    // attention_inputs, attention, the output product, the gate/up product and the down
    // product (more only where Q/K/V or gate/up could not be stacked at load).
    Stream record_fused_layers(gpu::Recorder& rec, const Step& s) {
        const std::int64_t n = s.n;
        using Output = ops::MatvecFusion::Output;
        Stream st{f32(x, {h.n_embd, n}),
                  traits->post_norms ? f32(x_alt, {h.n_embd, n}) : gpu::Tensor{}};
        const auto o_t = f32(o, {h.n_embd, n});
        // A product whose input is the normalised residual stream: with a pending post-norm it
        // first adds it, and the stream moves to the other buffer.
        const auto normed = [&](const gpu::Tensor& norm) {
            ops::MatvecFusion f;
            f.norm = &norm;
            f.eps = h.rms_eps;
            if (st.pending) {
                f.residual = &o_t;
                f.residual_norm = st.pending;
                f.x_out = &st.other;
            }
            return f;
        };
        const auto advance = [&](const ops::MatvecFusion& f) {
            if (f.residual) std::swap(st.x, st.other);
            st.pending = nullptr;
        };
        // Where a projection's output goes: added to the stream, or (post-norms) into o.
        const auto projected = [&](const std::optional<gpu::Tensor>& post_norm) {
            ops::MatvecFusion f;
            f.output = post_norm ? Output::store : Output::accumulate;
            return f;
        };

        for (std::size_t il = 0; il < w.layers.size(); ++il) {
            const LayerWeights& l = w.layers[il];
            const auto qkv_t = f32(qkv, {qkv_rows(), n});
            ops::MatvecFusion fq = normed(l.attn_norm);
            if (l.wqkv) {
                fq.bias = l.bqkv ? &*l.bqkv : nullptr;
                ops::matvec_fused(rec, *l.wqkv, st.x, qkv_t, fq);
            } else {
                std::int64_t row = 0;
                for (const gpu::Tensor* part : {&l.wq, &l.wk, &l.wv}) {
                    const std::int64_t rows = part->ne[1];
                    std::optional<gpu::Tensor> b;
                    if (l.bqkv) b = narrow(*l.bqkv, 0, row, rows);
                    fq.bias = b ? &*b : nullptr;
                    ops::matvec_fused(rec, *part, st.x, narrow(qkv_t, 0, row, rows), fq);
                    row += rows;
                }
            }
            advance(fq);

            const gpu::Tensor attn_in = record_attention(rec, l, il, s, true);
            const ops::MatvecFusion fo = projected(l.post_attn_norm);
            ops::matvec_fused(rec, l.wo, attn_in, fo.output == Output::store ? o_t : st.x, fo);
            if (l.post_attn_norm) st.pending = &*l.post_attn_norm;

            const auto act_t = f32(act, {h.n_ff, n});
            ops::MatvecFusion fg = normed(l.ffn_norm);
            if (l.ffn_gate_up) {
                fg.output = Output::gated;
                fg.activation = traits->ffn_activation;
                ops::matvec_fused(rec, *l.ffn_gate_up, st.x, act_t, fg);
            } else {
                const auto gu_t = f32(gu, {2 * h.n_ff, n});
                const auto gate_t = narrow(gu_t, 0, 0, h.n_ff),
                           up_t = narrow(gu_t, 0, h.n_ff, h.n_ff);
                ops::matvec_fused(rec, l.ffn_gate, st.x, gate_t, fg);
                ops::matvec_fused(rec, l.ffn_up, st.x, up_t, fg);
                ops::gated(rec, traits->ffn_activation, gate_t, up_t, act_t);
            }
            advance(fg);

            const ops::MatvecFusion fd = projected(l.post_ffn_norm);
            ops::matvec_fused(rec, l.ffn_down, act_t, fd.output == Output::store ? o_t : st.x, fd);
            if (l.post_ffn_norm) st.pending = &*l.post_ffn_norm;
        }
        return st;
    }

    // The head after fused layers: the pending post-norm residual add, the output norm, then
    // the product. The head's rows are the vocabulary (up to 262144), so a norm in each of its
    // workgroups would read x that many times over: the norms are dispatches of their own.
    // `cols`: the last column only, or all of them.
    void record_fused_head(gpu::Recorder& rec, Stream& st, std::int64_t cols,
                           const gpu::Tensor& logits_t) {
        const std::int64_t n = st.x.ne[1];
        const gpu::Tensor x_in = columns(st.x, n - cols, cols);
        if (st.pending) {
            const gpu::Tensor o_in = columns(f32(o, {h.n_embd, n}), n - cols, cols);
            ops::rms_norm(rec, o_in, o_in, h.rms_eps, st.pending);
            ops::add(rec, x_in, o_in, x_in);
        }
        const gpu::Tensor xn_in = columns(f32(xn, {h.n_embd, n}), n - cols, cols);
        ops::rms_norm(rec, x_in, xn_in, h.rms_eps, &w.output_norm);
        ops::matmul(rec, w.output, xn_in, logits_t);
    }

    // The layers of a larger chunk (prefill): matrix-matrix products over the stacked Q/K/V
    // and gate/up weights, one attention_inputs dispatch, and the residual adds.
    void record_layers(gpu::Recorder& rec, const Step& s) {
        const std::int64_t n = s.n;
        const auto x_t = f32(x, {h.n_embd, n}), xn_t = f32(xn, {h.n_embd, n});
        const auto o_t = f32(o, {h.n_embd, n});
        const auto qkv_t = f32(qkv, {qkv_rows(), n});
        const auto gu_t = f32(gu, {2 * h.n_ff, n});
        const auto gate_t = narrow(gu_t, 0, 0, h.n_ff), up_t = narrow(gu_t, 0, h.n_ff, h.n_ff);
        const auto act_t = f32(act, {h.n_ff, n});
        for (std::size_t il = 0; il < w.layers.size(); ++il) {
            const LayerWeights& l = w.layers[il];
            ops::rms_norm(rec, x_t, xn_t, h.rms_eps, &l.attn_norm);
            if (l.wqkv) {
                ops::matmul(rec, *l.wqkv, xn_t, qkv_t);
            } else {
                std::int64_t row = 0;
                for (const gpu::Tensor* part : {&l.wq, &l.wk, &l.wv}) {
                    ops::matmul(rec, *part, xn_t, narrow(qkv_t, 0, row, part->ne[1]));
                    row += part->ne[1];
                }
            }
            if (l.bqkv) ops::add(rec, qkv_t, *l.bqkv, qkv_t);  // [rows] broadcast over tokens
            const gpu::Tensor attn_in = record_attention(rec, l, il, s, false);
            ops::matmul(rec, l.wo, attn_in, o_t);
            if (l.post_attn_norm) ops::rms_norm(rec, o_t, o_t, h.rms_eps, &*l.post_attn_norm);
            ops::add(rec, x_t, o_t, x_t);
            ops::rms_norm(rec, x_t, xn_t, h.rms_eps, &l.ffn_norm);
            if (l.ffn_gate_up) {
                ops::matmul(rec, *l.ffn_gate_up, xn_t, gu_t);
            } else {
                ops::matmul(rec, l.ffn_gate, xn_t, gate_t);
                ops::matmul(rec, l.ffn_up, xn_t, up_t);
            }
            ops::gated(rec, traits->ffn_activation, gate_t, up_t, act_t);
            ops::matmul(rec, l.ffn_down, act_t, o_t);
            if (l.post_ffn_norm) ops::rms_norm(rec, o_t, o_t, h.rms_eps, &*l.post_ffn_norm);
            ops::add(rec, x_t, o_t, x_t);
        }
    }

    // Records one chunk of `n` rows at position `p0` whose ids and positions are in the `ids` and
    // `pos` buffers; returns where its logits will be.
    gpu::Tensor record_chunk(gpu::Recorder& rec, const Chunk& c, std::int64_t p0, bool all_logits) {
        const auto n = static_cast<std::int64_t>(c.tokens.size());
        const auto id_bytes = static_cast<std::uint64_t>(n) * 4;
        const auto pos_bytes = static_cast<std::uint64_t>(c.positions.size()) * 4;
        const auto ids_t = gpu::Tensor::contiguous(ids.range(0, id_bytes), TensorType::I32, {n});
        const auto pos_t = gpu::Tensor::contiguous(pos.range(0, pos_bytes), TensorType::I32,
                                                   {static_cast<std::int64_t>(c.positions.size())});
        const auto x_t = f32(x, {h.n_embd, n}), xn_t = f32(xn, {h.n_embd, n});

        ops::get_rows(rec, w.token_embd, ids_t, x_t);
        if (traits->scale_embeddings)
            ops::scale(rec, x_t, x_t, std::sqrt(static_cast<float>(h.n_embd)));
        // Embedding rows after the scaling: Gemma 3 scales token embeddings only.
        std::int64_t next_embedding = c.first_embedding;
        for (std::int64_t r = 0; r < n;) {
            if (c.tokens[static_cast<std::size_t>(r)] >= 0) {
                ++r;
                continue;
            }
            std::int64_t run = 1;
            while (r + run < n && c.tokens[static_cast<std::size_t>(r + run)] < 0) ++run;
            ops::copy(rec, columns(*c.embeddings, next_embedding, run),
                      columns(x, h.n_embd, r, run));
            next_embedding += run;
            r += run;
        }
        const Step step{n, p0, c.span_begin, c.span_end, pos_t};
        // A few tokens (decode, speculative or short prompts) take the fused matrix-vector
        // path; larger chunks the matrix-matrix one.
        std::optional<Stream> stream;
        if (n <= ops::decode_max_columns(ctx.device()) && decode_path == DecodePath::fused) {
            stream = record_fused_layers(rec, step);
        } else {
            record_layers(rec, step);
        }
        gpu::Tensor logits_t;
        if (stream) {
            logits_t = all_logits ? f32(every_logit_buffer(), {h.n_vocab, n})
                                  : f32(logits, {h.n_vocab, 1});
            record_fused_head(rec, *stream, all_logits ? n : 1, logits_t);
        } else if (all_logits) {
            every_logit_buffer();
            ops::rms_norm(rec, x_t, xn_t, h.rms_eps, &w.output_norm);
            logits_t = f32(every_logit, {h.n_vocab, n});
            // A large vocabulary times many tokens can exceed one storage binding (128 MiB on
            // lavapipe): the head writes slices of columns, each within the limit.
            const auto column_bytes = f32_bytes(h.n_vocab);
            const auto per_slice = static_cast<std::int64_t>(
                std::max<std::uint64_t>(1, ctx.device().max_storage_buffer_range / column_bytes));
            for (std::int64_t c0 = 0; c0 < n; c0 += per_slice) {
                const std::int64_t cols = std::min(per_slice, n - c0);
                ops::matmul(rec, w.output, columns(xn, h.n_embd, c0, cols),
                            columns(every_logit, h.n_vocab, c0, cols));
            }
        } else {
            const auto last = columns(x, h.n_embd, n - 1, 1);
            const auto last_xn = columns(xn, h.n_embd, n - 1, 1);
            ops::rms_norm(rec, last, last_xn, h.rms_eps, &w.output_norm);
            logits_t = f32(logits, {h.n_vocab, 1});
            ops::matmul(rec, w.output, last_xn, logits_t);
        }
        return logits_t;
    }

    // One chunk: every layer recorded into one command buffer, submitted once.
    void run_chunk(const Chunk& c, bool all_logits, std::vector<float>& out) {
        const auto n = static_cast<std::int64_t>(c.tokens.size());
        const std::int64_t p0 = n_past;
        // Embedding rows look up row 0 of token_embd, then get overwritten.
        std::vector<std::int32_t> lookup(c.tokens.begin(), c.tokens.end());
        for (auto& id : lookup) id = std::max(id, 0);
        ctx.upload(ids.range(0, static_cast<std::uint64_t>(n) * 4),
                   std::span<const std::int32_t>(lookup));
        ctx.upload(pos.range(0, static_cast<std::uint64_t>(c.positions.size()) * 4), c.positions);
        auto rec = ctx.record();
        const gpu::Tensor logits_t = record_chunk(rec, c, p0, all_logits);
        ctx.submit(rec);
        n_past = p0 + n;
        for (std::int64_t r = p0; r < n_past && ring_rows > 0; ++r)
            slot_row[static_cast<std::size_t>(r % ring_rows)] = r;
        // Every plane counts: a Qwen image's h/w planes run past its t position.
        const std::int64_t planes = static_cast<std::int64_t>(c.positions.size()) / n;
        std::int32_t next = p0 == 0 ? 0 : next_after[static_cast<std::size_t>(p0 - 1)];
        next_after.resize(static_cast<std::size_t>(p0));
        for (std::int64_t r = 0; r < n; ++r) {
            for (std::int64_t plane = 0; plane < planes; ++plane)
                next = std::max(next, c.positions[static_cast<std::size_t>(plane * n + r)] + 1);
            next_after.push_back(next);
        }

        const std::size_t at = out.size();
        out.resize(at + static_cast<std::size_t>(logits_t.elements()));
        const auto fresh = std::span(out).subspan(at);
        ctx.download(logits_t.memory, std::as_writable_bytes(fresh));
        // On the host: the logits come here anyway, and n_vocab tanh per token is negligible
        // next to the output matmul.
        if (h.final_logit_softcap > 0.0f) {
            const float cap = h.final_logit_softcap;
            for (float& logit : fresh) logit = cap * std::tanh(logit / cap);
        }
    }
};

Decoder::Decoder(gpu::Context& context, const gguf::File& file, const DecoderOptions& options)
    : impl_(std::make_unique<Impl>(context, file, options)) {}

Decoder::~Decoder() = default;

const DecoderHParams& Decoder::hparams() const {
    return impl_->h;
}
const ArchitectureTraits& Decoder::traits() const {
    return *impl_->traits;
}
DecodePath Decoder::decode_path() const {
    return impl_->decode_path;
}
std::int64_t Decoder::n_ctx() const {
    return impl_->n_ctx;
}
std::int64_t Decoder::n_vocab() const {
    return impl_->h.n_vocab;
}
std::int64_t Decoder::prefill_chunk() const {
    return impl_->chunk;
}
std::int64_t Decoder::n_past() const {
    return impl_->n_past;
}
std::uint64_t Decoder::weight_bytes() const {
    return impl_->w.bytes;
}
std::uint64_t Decoder::kv_cache_bytes() const {
    std::uint64_t bytes = 0;
    for (const auto& b : impl_->cache_buffers) bytes += b.size();
    return bytes;
}

std::int64_t Decoder::next_position() const {
    return impl_->next_position();
}

std::vector<float> Decoder::forward(std::span<const std::int32_t> tokens, bool all_logits) {
    for (const std::int32_t id : tokens) {
        if (id < 0) {
            throw Error("decoder: token id " + std::to_string(id) +
                        " is negative (image rows go through DecoderInput)");
        }
    }
    DecoderInput input;
    input.tokens = tokens;
    return forward(input, all_logits);
}

std::vector<float> Decoder::forward(const DecoderInput& input, bool all_logits) {
    Impl& m = *impl_;
    const auto& tokens = input.tokens;
    if (tokens.empty()) throw Error("decoder: no tokens to process");
    const auto n = static_cast<std::int64_t>(tokens.size());
    if (n > m.n_ctx - m.n_past) {
        throw Error("context is full: " + std::to_string(m.n_past) + " of " +
                    std::to_string(m.n_ctx) + " positions are used and " + std::to_string(n) +
                    " more token(s) do not fit (start a new sequence or load with a larger "
                    "context)");
    }
    std::int64_t n_embedding_rows = 0;
    for (const std::int32_t id : tokens) {
        if (id < 0) {
            ++n_embedding_rows;
        } else if (id >= m.h.n_vocab) {
            throw Error("decoder: token id " + std::to_string(id) + " is outside the vocabulary (" +
                        std::to_string(m.h.n_vocab) + " tokens)");
        }
    }
    if (n_embedding_rows > 0) {
        const gpu::Tensor* e = input.embeddings;
        if (e == nullptr)
            throw Error("decoder: " + std::to_string(n_embedding_rows) +
                        " input rows are embeddings but no embeddings were given");
        if (e->type != TensorType::F32 || e->nb[0] != 4 || e->ne[2] != 1 || e->ne[3] != 1 ||
            e->ne[0] != m.h.n_embd || e->ne[1] != n_embedding_rows) {
            throw Error("decoder: embeddings are " + e->shape_string() + ", expected f32 [" +
                        std::to_string(m.h.n_embd) + ", " + std::to_string(n_embedding_rows) +
                        "] (the model's width, one column per negative token)");
        }
    }

    // Positions: one per row, four planes for M-RoPE, or consecutive from next_position().
    const std::int64_t planes = m.mrope() ? 4 : 1;
    std::vector<std::int32_t> positions;
    if (input.positions.empty()) {
        const std::int64_t p0 = m.next_position();
        positions.resize(static_cast<std::size_t>(planes * n));
        for (std::int64_t r = 0; r < n; ++r) {
            const auto p = static_cast<std::int32_t>(p0 + r);
            // llama.cpp gives text rows the same t/h/w position and e = 0.
            for (std::int64_t plane = 0; plane < planes; ++plane)
                positions[static_cast<std::size_t>(plane * n + r)] = plane == 3 ? 0 : p;
        }
    } else {
        if (static_cast<std::int64_t>(input.positions.size()) != planes * n) {
            throw Error("decoder: " + std::to_string(input.positions.size()) + " positions for " +
                        std::to_string(n) + " rows, expected " + std::to_string(planes * n) +
                        (m.mrope() ? " (four M-RoPE planes t, h, w, e)" : ""));
        }
        for (const std::int32_t p : input.positions) {
            if (p < 0) throw Error("decoder: position " + std::to_string(p) + " is negative");
        }
        positions.assign(input.positions.begin(), input.positions.end());
    }

    auto spans = input.non_causal_spans;
    for (std::size_t i = 0; i < spans.size(); ++i) {
        const auto [b, e] = spans[i];
        const std::string name =
            "decoder: non-causal span [" + std::to_string(b) + ", " + std::to_string(e) + ")";
        if (b < 0 || e <= b || e > n)
            throw Error(name + " is not a range of the " + std::to_string(n) + " input rows");
        if (i > 0 && b < spans[i - 1].second)
            throw Error(name + " overlaps or precedes the previous span");
        if (e - b > m.chunk) {
            throw Error(name + " has " + std::to_string(e - b) +
                        " rows, more than the prefill chunk of " + std::to_string(m.chunk) +
                        " (it must be processed in one chunk; load with a larger prefill chunk)");
        }
    }

    std::vector<float> logits;
    std::vector<std::int32_t> chunk_positions;
    std::int64_t at = 0, embedding_at = 0;
    std::size_t span_index = 0;
    for (const std::int64_t end : prefill_chunk_ends(n, m.chunk, spans)) {
        const std::int64_t count = end - at;
        Chunk c;
        c.tokens = tokens.subspan(static_cast<std::size_t>(at), static_cast<std::size_t>(count));
        c.embeddings = input.embeddings;
        c.first_embedding = embedding_at;
        chunk_positions.clear();
        for (std::int64_t plane = 0; plane < planes; ++plane) {
            const auto from = positions.begin() + plane * n + at;
            chunk_positions.insert(chunk_positions.end(), from, from + count);
        }
        c.positions = chunk_positions;
        while (span_index < spans.size() && spans[span_index].second <= at) ++span_index;
        if (span_index < spans.size() && spans[span_index].first < end) {
            c.span_begin = m.n_past + spans[span_index].first - at;
            c.span_end = m.n_past + spans[span_index].second - at;
        }
        for (const std::int32_t id : c.tokens) embedding_at += id < 0 ? 1 : 0;
        // Earlier chunks only fill the cache unless every row's logits are wanted.
        std::vector<float> unused;
        m.run_chunk(c, all_logits, all_logits || end == n ? logits : unused);
        at = end;
    }
    return logits;
}

std::int64_t Decoder::truncate(std::int64_t n) {
    Impl& m = *impl_;
    if (n < 0 || n > m.n_past) {
        throw Error("decoder: cannot truncate to " + std::to_string(n) +
                    " tokens, the cache holds " + std::to_string(m.n_past));
    }
    // The next row's query sees the window's rows before it: each must still be in its slot.
    if (m.ring_rows > 0) {
        for (std::int64_t r = std::max<std::int64_t>(0, n - m.h.n_swa + 1); r < n; ++r) {
            if (m.slot_row[static_cast<std::size_t>(r % m.ring_rows)] != r) {
                n = 0;
                break;
            }
        }
    }
    m.n_past = n;
    m.next_after.resize(static_cast<std::size_t>(n));
    return n;
}

}  // namespace prism::models
