// The vision tower (ViT) and projector of an mmproj on the GPU. One encode() records every
// step of one image into one command buffer; activation buffers are kept between calls and
// regrown only for a larger image.

#include "prism/models/vision_encoder.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>

#include "models/tensor_views.hpp"
#include "models/vision_layout.hpp"
#include "models/vision_weights.hpp"
#include "prism/error.hpp"
#include "prism/ops/attention.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/conv2d_patch.hpp"
#include "prism/ops/copy.hpp"
#include "prism/ops/gated.hpp"
#include "prism/ops/get_rows.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/pool.hpp"
#include "prism/ops/rope.hpp"
#include "prism/ops/unary.hpp"

namespace prism::models {
namespace {

// How many blocks the encoder runs (LLaVA taps an earlier hidden state than the last), after
// the checks on h that only the encoder makes.
std::int64_t run_layers(const std::string& name, const VisionHParams& h,
                        const ProjectorTraits& traits) {
    std::int64_t n_run_layers = h.n_layer;
    if (traits.feature_layer) {
        if (h.feature_layers.size() > 1) {
            throw FormatError(name + ": several vision feature layers (" +
                              std::to_string(h.feature_layers.size()) +
                              ") are not supported; LLaVA-1.5 taps one");
        }
        // clip.cpp: the deepest tapped hidden state, else the second to last.
        n_run_layers = h.feature_layers.empty() ? h.n_layer - 1 : h.feature_layers[0];
        if (n_run_layers < 0 || n_run_layers > h.n_layer) {
            throw FormatError(name + ": vision feature layer " + std::to_string(n_run_layers) +
                              " is outside 0.." + std::to_string(h.n_layer));
        }
    }
    if (traits.positions == PatchPositions::rope_2d && h.head_dim % 4 != 0) {
        throw FormatError(name + ": the 2-D RoPE needs a head size divisible by 4, got " +
                          std::to_string(h.head_dim));
    }
    return n_run_layers;
}

}  // namespace

struct VisionEncoder::Impl {
    gpu::Context& ctx;
    std::string name;
    VisionHParams h;
    const ProjectorTraits& traits;
    std::int64_t n_run_layers = 0;
    std::int64_t hd_pad = 0;
    std::int64_t max_ff = 0;
    VisionWeights w;

    // Activations, sized for `capacity` ViT tokens and `pixel_capacity` floats.
    std::int64_t capacity = 0, pixel_capacity = 0, ffn_chunk = 0;
    gpu::Buffer pixels, x, xn, o, q, k, v, q_pad, kh, vh, attn, attn_flat;
    gpu::Buffer up, gate, mid, proj_out, positions, gather, scatter;

    Impl(gpu::Context& context, const gguf::File& file)
        : ctx(context),
          name(file.name()),
          h(read_vision_hparams(file)),
          traits(projector_traits(h.projector)) {
        n_run_layers = run_layers(name, h, traits);
        hd_pad = ops::attention_head_dim(h.head_dim);
        w = load_vision_weights(ctx, file, h, n_run_layers);
        for (const auto& L : w.layers) max_ff = std::max(max_ff, L.n_ff);
    }

    bool padded() const { return hd_pad != h.head_dim; }
    std::int64_t q_dim() const { return h.n_head * h.head_dim; }
    bool windowed() const { return traits.window_attention && h.n_wa_pattern > 0; }
    bool rope_2d() const { return traits.positions == PatchPositions::rope_2d; }
    // Patches per token going into the projector head: m x m for merge cells, which the blocks
    // already run in cell order; the other merges have their own buffer.
    std::int64_t cell_patches() const {
        return traits.merge == TokenMerge::merge_cells ? h.spatial_merge * h.spatial_merge : 1;
    }

    [[noreturn]] void bad_image(const media::PlanarImage& image, const std::string& why) const {
        throw Error(name + ": cannot encode a " + std::to_string(image.width) + "x" +
                    std::to_string(image.height) + " image: " + why);
    }

    void check_image(const media::PlanarImage& image) const {
        if (image.width <= 0 || image.height <= 0) bad_image(image, "empty image");
        const auto expected =
            static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3;
        if (image.data.size() != expected) {
            bad_image(image, "it holds " + std::to_string(image.data.size()) +
                                 " floats, expected 3 planes of width x height = " +
                                 std::to_string(expected));
        }
        if (traits.preprocess.kind == media::VisionPreprocess::Kind::dynamic_size) {
            const std::int32_t align = h.patch_size * h.spatial_merge;
            if (image.width % align != 0 || image.height % align != 0) {
                bad_image(image, "both sides must be multiples of " + std::to_string(align) +
                                     " (patch size x spatial merge)");
            }
        } else if (image.width != h.image_size || image.height != h.image_size) {
            bad_image(image, "this encoder takes " + std::to_string(h.image_size) + "x" +
                                 std::to_string(h.image_size) + " images");
        }
        const std::int64_t grid = h.image_size / h.patch_size;
        if (traits.merge == TokenMerge::pixel_shuffle && grid % h.scale_factor != 0) {
            bad_image(image, "the patch grid " + std::to_string(grid) +
                                 " is not a multiple of the pixel-shuffle factor " +
                                 std::to_string(h.scale_factor));
        }
        if (traits.merge == TokenMerge::avg_pool && grid < h.scale_factor) {
            bad_image(image, "the patch grid is smaller than the pooling kernel");
        }
    }

    std::int64_t tokens(const media::PlanarImage& image) const {
        check_image(image);
        return tokens_of(image.width, image.height);
    }

    std::int64_t tokens_of(std::int64_t width, std::int64_t height) const {
        const std::int64_t px = width / h.patch_size, py = height / h.patch_size;
        switch (traits.merge) {
            case TokenMerge::pixel_shuffle:
                return px * py / (h.scale_factor * h.scale_factor);
            case TokenMerge::avg_pool: {
                const std::int64_t s = h.scale_factor;
                return ops::pool_output_length(px, s, s) * ops::pool_output_length(py, s, s);
            }
            case TokenMerge::merge_cells:
                return px * py / (h.spatial_merge * h.spatial_merge);
            case TokenMerge::none:
                return px * py;
        }
        return 0;
    }

    // (Re)allocates the activations for n ViT tokens. Every buffer but the FFN's must fit
    // one storage binding; the FFN runs in column chunks that do.
    void reserve(std::int64_t n, std::int64_t pixel_floats) {
        const std::uint64_t limit = ctx.device().max_storage_buffer_range;
        // Projector rows: Qwen's merger runs on merged tokens (n / merge^2), LLaVA's on patches.
        const std::int64_t rows = n / cell_patches();
        const std::int64_t hidden = w.mm0_w ? w.mm0_w->ne[1] : 0;
        const std::int64_t mid_floats = hidden * rows;
        const std::int64_t proj_floats = windowed() ? h.output_dim * rows : 0;
        const std::int64_t widest =
            std::max({h.n_embd * n, q_dim() * n, hd_pad * h.n_head * n, mid_floats, proj_floats,
                      h.output_dim * rows, pixel_floats});
        if (f32_bytes(widest) > limit) {
            throw Error(name + ": an image of " + std::to_string(n) + " patches needs a " +
                        std::to_string(f32_bytes(widest) >> 20) +
                        " MiB activation binding, more than the device's storage-buffer limit (" +
                        std::to_string(limit >> 20) + " MiB); use a smaller image");
        }
        if (pixel_floats > pixel_capacity) {
            pixels = ctx.allocate(f32_bytes(pixel_floats));
            pixel_capacity = pixel_floats;
        }
        if (n <= capacity) return;
        const auto alloc = [&](std::int64_t floats) { return ctx.allocate(f32_bytes(floats)); };
        x = alloc(h.n_embd * n);
        xn = alloc(h.n_embd * n);
        o = alloc(h.n_embd * n);
        q = alloc(q_dim() * n);
        k = alloc(q_dim() * n);
        v = alloc(q_dim() * n);
        attn = alloc(hd_pad * h.n_head * n);
        // f16 keys and values, token-major [hd_pad, heads, n] as the attention op reads them.
        kh = ctx.allocate(static_cast<std::uint64_t>(hd_pad * h.n_head * n) * 2);
        vh = ctx.allocate(static_cast<std::uint64_t>(hd_pad * h.n_head * n) * 2);
        if (padded()) {
            q_pad = alloc(hd_pad * h.n_head * n);
            attn_flat = alloc(q_dim() * n);
        }
        ffn_chunk = std::max<std::int64_t>(
            1, std::min<std::int64_t>(n, static_cast<std::int64_t>(limit / f32_bytes(max_ff))));
        up = alloc(max_ff * ffn_chunk);
        const bool gated = std::any_of(w.layers.begin(), w.layers.end(),
                                       [](const VisionLayerWeights& L) { return L.gate_w; });
        gate = gated ? alloc(max_ff * ffn_chunk) : gpu::Buffer{};
        if (mid_floats > 0) mid = alloc(mid_floats);
        if (proj_floats > 0) proj_out = alloc(proj_floats);
        if (rope_2d()) {
            positions = ctx.allocate(static_cast<std::uint64_t>(4 * n) * 4);
            gather = ctx.allocate(static_cast<std::uint64_t>(n) * 4);
            scatter = ctx.allocate(static_cast<std::uint64_t>(n) * 4);
        }
        capacity = n;
        if (padded()) {  // the pad lanes stay zero: they add nothing to any dot product
            auto rec = ctx.record();
            rec.fill_zero(q_pad.range());
            rec.fill_zero(kh.range());
            rec.fill_zero(vh.range());
            ctx.submit(rec);
        }
    }

    void norm(gpu::Recorder& rec, const gpu::Tensor& in, const gpu::Tensor& out,
              const gpu::Tensor& weight, const std::optional<gpu::Tensor>& bias) const {
        if (h.rms_norm) {
            ops::rms_norm(rec, in, out, h.eps, &weight);
        } else {
            ops::layer_norm(rec, in, out, h.eps, &weight, bias ? &*bias : nullptr);
        }
    }

    static void linear(gpu::Recorder& rec, const gpu::Tensor& weight,
                       const std::optional<gpu::Tensor>& bias, const gpu::Tensor& in,
                       const gpu::Tensor& out) {
        ops::matmul(rec, weight, in, out);
        if (bias) ops::add(rec, out, *bias, out);
    }

    // Patch embedding (+ class token, + learned positions) into x [D, n], in cell order for
    // merge cells (and window order for windowed blocks).
    void embed(gpu::Recorder& rec, const gpu::Tensor& image, std::int64_t px, std::int64_t py) {
        const std::int64_t D = h.n_embd, np = px * py;
        const gpu::Tensor* bias = w.patch_b ? &*w.patch_b : nullptr;
        const bool cell_order = traits.merge == TokenMerge::merge_cells;
        const auto patches = f32(cell_order ? xn : x, {D, np, 1});
        ops::conv2d_patch(rec, image, w.patch_w, bias, patches);
        if (w.patch_w1) {
            // A still image goes through both temporal slices of the Conv3d kernel.
            const auto second = f32(o, {D, np, 1});
            ops::conv2d_patch(rec, image, *w.patch_w1, nullptr, second);
            ops::add(rec, patches, second, patches);
        }
        if (cell_order) {
            // Row-major patches to merge-cell order: cell (cy, cx) row-major, its patches
            // (dy, dx) row-major. A [D * m] run (channels of the m patches of one cell row)
            // stays contiguous, so one strided copy does it.
            const std::int64_t m = h.spatial_merge;
            const auto m_u = static_cast<std::uint64_t>(m);
            const auto D_u = static_cast<std::uint64_t>(D), px_u = static_cast<std::uint64_t>(px);
            const gpu::Tensor merge_view = strided(xn, {D * m, m, px / m, py / m},
                                                   {1, D_u * px_u, D_u * m_u, D_u * px_u * m_u});
            const gpu::Buffer& dst = windowed() ? o : x;
            ops::copy(rec, merge_view, f32(dst, {D * m, m, px / m, py / m}));
            if (windowed()) {
                const std::int64_t cell = D * m * m, cells = np / (m * m);
                const auto ids = gpu::Tensor::contiguous(gather.range(0, f32_bytes(cells)),
                                                         TensorType::I32, {cells});
                ops::get_rows(rec, f32(o, {cell, cells}), ids, f32(x, {cell, cells}));
            }
        }
        if (traits.positions != PatchPositions::learned) return;
        const gpu::Tensor& pos = *w.position;
        if (w.class_embd) {
            // The class token runs last in the sequence (attention does not care where) and
            // takes position row 0 as in CLIP; the patches take rows 1..np.
            const auto cls = columns(x, D, np, 1);
            ops::copy(rec, *w.class_embd, cls);
            ops::add(rec, cls, pos.rows_slice(0, 1), cls);
            ops::add(rec, f32(x, {D, np}), pos.rows_slice(1, np), f32(x, {D, np}));
        } else {
            ops::add(rec, f32(x, {D, np}), pos, f32(x, {D, np}));
        }
    }

    void block(gpu::Recorder& rec, const VisionLayerWeights& L, std::int64_t n,
               const std::vector<std::pair<std::int64_t, std::int64_t>>& windows,
               const std::optional<gpu::Tensor>& pos_t) {
        const std::int64_t D = h.n_embd, qd = q_dim(), hd = h.head_dim, H = h.n_head;
        const auto x_t = f32(x, {D, n}), xn_t = f32(xn, {D, n}), o_t = f32(o, {D, n});
        norm(rec, x_t, xn_t, L.ln1_w, L.ln1_b);
        linear(rec, L.q_w, L.q_b, xn_t, f32(q, {qd, n}));
        linear(rec, L.k_w, L.k_b, xn_t, f32(k, {qd, n}));
        linear(rec, L.v_w, L.v_b, xn_t, f32(v, {qd, n}));
        const auto q3 = f32(q, {hd, H, n}), k3 = f32(k, {hd, H, n}), v3 = f32(v, {hd, H, n});
        if (pos_t) {
            ops::RopeParams rope;
            rope.mode = ops::RopeMode::vision;
            rope.n_rot = static_cast<std::int32_t>(hd / 2);
            rope.freq_base = 10000.0f;
            const auto quarter = static_cast<std::int32_t>(hd / 4);
            rope.sections = {quarter, quarter, quarter, quarter};
            ops::rope(rec, q3, *pos_t, q3, rope);
            ops::rope(rec, k3, *pos_t, k3, rope);
        }
        const auto kv_full = [&](const gpu::Buffer& buf) {
            return gpu::Tensor::contiguous(buf, TensorType::F16, {hd_pad, H, n});
        };
        ops::copy(rec, k3, head_prefix(kv_full(kh), hd));
        ops::copy(rec, v3, head_prefix(kv_full(vh), hd));
        gpu::Tensor q_heads = q3;
        if (padded()) {
            q_heads = f32(q_pad, {hd_pad, H, n});
            ops::copy(rec, q3, head_prefix(q_heads, hd));
        }
        const gpu::Tensor q_attn = q_heads.permuted(0, 2, 1, 3);  // [hd_pad, n, H]
        const gpu::Tensor k_attn = ops::kv_cache_view(kv_full(kh), n);
        const gpu::Tensor v_attn = ops::kv_cache_view(kv_full(vh), n);
        const gpu::Tensor out = f32(attn, {hd_pad, H, n});
        ops::AttentionParams params;
        params.mask = ops::AttentionMask::none;
        params.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
        for (const auto& [begin, end] : windows) {
            const std::int64_t c = end - begin;
            ops::attention(rec, narrow(q_attn, 1, begin, c), narrow(k_attn, 1, begin, c),
                           narrow(v_attn, 1, begin, c), narrow(out, 2, begin, c), params);
        }
        gpu::Tensor attn_in = f32(attn, {qd, n});
        if (padded()) {
            ops::copy(rec, head_prefix(out, hd), f32(attn_flat, {hd, H, n}));
            attn_in = f32(attn_flat, {qd, n});
        }
        linear(rec, L.o_w, L.o_b, attn_in, o_t);
        ops::add(rec, x_t, o_t, x_t);

        norm(rec, x_t, xn_t, L.ln2_w, L.ln2_b);
        for (std::int64_t c0 = 0; c0 < n; c0 += ffn_chunk) {
            const std::int64_t cols = std::min(ffn_chunk, n - c0);
            const auto in = columns(xn, D, c0, cols);
            const auto up_t = f32(up, {L.n_ff, cols});
            linear(rec, L.up_w, L.up_b, in, up_t);
            if (L.gate_w) {
                const auto gate_t = f32(gate, {L.n_ff, cols});
                linear(rec, *L.gate_w, L.gate_b, in, gate_t);
                ops::gated(rec, h.activation, gate_t, up_t, up_t);
            } else {
                ops::unary(rec, h.activation, up_t, up_t);
            }
            linear(rec, L.down_w, L.down_b, up_t, columns(o, D, c0, cols));
        }
        ops::add(rec, x_t, o_t, x_t);
    }

    // The tokens the projector head takes, from x [D, n] (post-norm applied): merged (into xn
    // where the merge moves data), or x itself.
    gpu::Tensor merged_tokens(gpu::Recorder& rec, std::int64_t px, std::int64_t py,
                              std::int64_t tokens) {
        const std::int64_t D = h.n_embd;
        const auto D_u = static_cast<std::uint64_t>(D), px_u = static_cast<std::uint64_t>(px);
        switch (traits.merge) {
            case TokenMerge::pixel_shuffle: {
                // Output token (I, J) concatenates patches (I*s + dy, J*s + dx) over dy (outer)
                // and dx (inner); channels of s neighbours in a row are one run.
                const std::int64_t s = h.scale_factor;
                const auto s_u = static_cast<std::uint64_t>(s);
                const gpu::Tensor view = strided(x, {D * s, s, px / s, py / s},
                                                 {1, D_u * px_u, D_u * s_u, D_u * px_u * s_u});
                ops::copy(rec, view, f32(xn, {D * s, s, px / s, py / s}));
                return f32(xn, {D * s * s, tokens});
            }
            case TokenMerge::avg_pool: {
                const std::int64_t s = h.scale_factor;
                const std::int64_t ox = ops::pool_output_length(px, s, s);
                const std::int64_t oy = ops::pool_output_length(py, s, s);
                const gpu::Tensor grid =
                    strided(x, {D, px, py, 1},
                            {1, D_u, D_u * px_u, D_u * px_u * static_cast<std::uint64_t>(py)});
                ops::avg_pool2d(rec, grid, f32(xn, {D, ox, oy, 1}), s, s);
                return f32(xn, {D, tokens});
            }
            case TokenMerge::merge_cells:  // the blocks ran in cell order: a cell is one column
                return f32(x, {D * cell_patches(), tokens});
            case TokenMerge::none:  // the patches; a class token (last column) is dropped
                return f32(x, {D, px * py});
        }
        throw Error(name + ": unknown token merge");
    }

    // The projector: x [D, n] (post-norm applied) to out [output_dim, tokens].
    void project(gpu::Recorder& rec, std::int64_t px, std::int64_t py, const gpu::Tensor& out) {
        const std::int64_t tokens = out.ne[1];
        const gpu::Tensor in = merged_tokens(rec, px, py, tokens);
        switch (traits.head) {
            case ProjectorHead::linear:
                ops::matmul(rec, *w.fc_w, in, out);
                return;
            case ProjectorHead::norm_projection:
                ops::rms_norm(rec, in, in, h.eps, &*w.soft_norm_w);
                ops::matmul(rec, *w.input_proj_w, in, out);
                return;
            case ProjectorHead::mlp: {
                const std::int64_t hidden = w.mm0_w->ne[1];
                const auto mid_t = f32(mid, {hidden, tokens});
                linear(rec, *w.mm0_w, w.mm0_b, in, mid_t);
                ops::unary(rec, ops::Activation::gelu, mid_t, mid_t);
                if (windowed()) {  // rows back from window order to row-major
                    const auto rows = f32(proj_out, {h.output_dim, tokens});
                    linear(rec, *w.mm2_w, w.mm2_b, mid_t, rows);
                    const auto ids = gpu::Tensor::contiguous(scatter.range(0, f32_bytes(tokens)),
                                                             TensorType::I32, {tokens});
                    ops::get_rows(rec, rows, ids, out);
                } else {
                    linear(rec, *w.mm2_w, w.mm2_b, mid_t, out);
                }
                return;
            }
        }
    }

    ImageEmbeddings encode(const media::PlanarImage& image) {
        const std::int64_t n_tokens = tokens(image);
        const std::int64_t px = image.width / h.patch_size, py = image.height / h.patch_size;
        const std::int64_t n = px * py + (w.class_embd ? 1 : 0);
        reserve(n, static_cast<std::int64_t>(image.data.size()));

        ctx.upload(pixels.range(0, f32_bytes(static_cast<std::int64_t>(image.data.size()))),
                   std::span<const float>(image.data));
        const auto image_t = f32(pixels, {image.width, image.height, 3, 1});

        std::vector<std::pair<std::int64_t, std::int64_t>> all{{0, n}};
        QwenTokenOrder order;
        std::optional<gpu::Tensor> pos_t;
        if (rope_2d()) {
            const std::int64_t cells =
                windowed()
                    ? std::max<std::int64_t>(1, h.window_size / (h.patch_size * h.spatial_merge))
                    : 0;
            order = qwen_token_order(px, py, h.spatial_merge, cells);
            ctx.upload(positions.range(0, f32_bytes(4 * n)),
                       std::span<const std::int32_t>(order.positions));
            pos_t = gpu::Tensor::contiguous(positions.range(0, f32_bytes(4 * n)), TensorType::I32,
                                            {4 * n});
            if (windowed()) {
                ctx.upload(gather.range(0, f32_bytes(n_tokens)),
                           std::span<const std::int32_t>(order.window_gather));
                ctx.upload(scatter.range(0, f32_bytes(n_tokens)),
                           std::span<const std::int32_t>(order.window_scatter));
            }
        }

        ImageEmbeddings result;
        result.buffer = ctx.allocate(f32_bytes(h.output_dim * n_tokens));
        result.tensor = f32(result.buffer, {h.output_dim, n_tokens});
        if (traits.mrope_text) {
            result.grid_cols = static_cast<std::int32_t>(px / h.spatial_merge);
            result.grid_rows = static_cast<std::int32_t>(py / h.spatial_merge);
        }

        auto rec = ctx.record();
        embed(rec, image_t, px, py);
        const auto x_t = f32(x, {h.n_embd, n});
        if (w.pre_ln_w) norm(rec, x_t, x_t, *w.pre_ln_w, w.pre_ln_b);
        for (std::size_t il = 0; il < w.layers.size(); ++il) {
            // Qwen2.5-VL: every n_wa_pattern-th layer attends over the whole image.
            const bool full =
                !windowed() || (static_cast<std::int64_t>(il) + 1) % h.n_wa_pattern == 0;
            block(rec, w.layers[il], n, full ? all : order.windows, pos_t);
        }
        if (w.post_ln_w) norm(rec, x_t, x_t, *w.post_ln_w, w.post_ln_b);
        project(rec, px, py, result.tensor);
        ctx.submit(rec);
        return result;
    }
};

VisionEncoder::VisionEncoder(gpu::Context& context, const gguf::File& mmproj)
    : impl_(std::make_unique<Impl>(context, mmproj)) {}
VisionEncoder::~VisionEncoder() = default;
VisionEncoder::VisionEncoder(VisionEncoder&&) noexcept = default;
VisionEncoder& VisionEncoder::operator=(VisionEncoder&&) noexcept = default;

const VisionHParams& VisionEncoder::hparams() const {
    return impl_->h;
}

std::int64_t VisionEncoder::tokens_for(const media::PlanarImage& image) const {
    return impl_->tokens(image);
}

std::int64_t VisionEncoder::tokens_for_size(std::int32_t width, std::int32_t height) const {
    return impl_->tokens_of(width, height);
}

ImageEmbeddings VisionEncoder::encode(const media::PlanarImage& image) {
    return impl_->encode(image);
}

VisionHParams check_vision_encoder(const gguf::File& mmproj) {
    VisionHParams h = read_vision_hparams(mmproj);
    check_vision_weights(mmproj, h, run_layers(mmproj.name(), h, projector_traits(h.projector)));
    return h;
}

}  // namespace prism::models
