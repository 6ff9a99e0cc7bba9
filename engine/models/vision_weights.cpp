#include "models/vision_weights.hpp"

#include <string>
#include <utility>

#include "models/weight_loader.hpp"
#include "prism/error.hpp"

namespace prism::models {
namespace {

// Finds and checks every tensor the encoder needs, queuing each in `l` for its slot in `w`.
void plan_vision_weights(WeightLoader& l, VisionWeights& w, const gguf::File& file,
                         const VisionHParams& h, std::int64_t n_run_layers) {
    const ProjectorTraits& traits = projector_traits(h.projector);
    const std::int64_t D = h.n_embd, P = h.patch_size, qd = h.n_head * h.head_dim;

    l.add(w.patch_w, "v.patch_embd.weight", {P, P, 3, D}, WeightKind::conv);
    if (traits.positions == PatchPositions::rope_2d) {  // the Conv3d's second temporal slice
        w.patch_w1.emplace();
        l.add(*w.patch_w1, "v.patch_embd.weight.1", {P, P, 3, D}, WeightKind::conv);
    }
    l.optional(w.patch_b, "v.patch_embd.bias", {D, 1, 1, 1}, WeightKind::f32);
    l.optional(w.class_embd, "v.class_embd", {D, 1, 1, 1}, WeightKind::f32);
    if (traits.positions == PatchPositions::learned) {
        const std::int64_t side = h.image_size / h.patch_size;
        w.position.emplace();
        l.add(*w.position, "v.position_embd.weight",
              {D, side * side + (w.class_embd ? 1 : 0), 1, 1}, WeightKind::f32);
    }
    l.optional(w.pre_ln_w, "v.pre_ln.weight", {D, 1, 1, 1}, WeightKind::f32);
    l.optional(w.pre_ln_b, "v.pre_ln.bias", {D, 1, 1, 1}, WeightKind::f32);
    l.optional(w.post_ln_w, "v.post_ln.weight", {D, 1, 1, 1}, WeightKind::f32);
    l.optional(w.post_ln_b, "v.post_ln.bias", {D, 1, 1, 1}, WeightKind::f32);

    // A hostile block_count must not size anything before the file shows it has the blocks.
    if (n_run_layers > 0) {
        const std::string last = "v.blk." + std::to_string(n_run_layers - 1) + ".ln1.weight";
        if (!l.has(last)) {
            throw FormatError(file.name() + ": tensor '" + last + "' is missing (clip.vision." +
                              "block_count says " + std::to_string(h.n_layer) + " blocks)");
        }
    }
    w.layers.resize(static_cast<std::size_t>(n_run_layers));
    for (std::int64_t il = 0; il < n_run_layers; ++il) {
        VisionLayerWeights& L = w.layers[static_cast<std::size_t>(il)];
        const std::string p = "v.blk." + std::to_string(il) + ".";
        l.add(L.ln1_w, p + "ln1.weight", {D, 1, 1, 1}, WeightKind::f32);
        l.optional(L.ln1_b, p + "ln1.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.ln2_w, p + "ln2.weight", {D, 1, 1, 1}, WeightKind::f32);
        l.optional(L.ln2_b, p + "ln2.bias", {D, 1, 1, 1}, WeightKind::f32);
        l.add(L.q_w, p + "attn_q.weight", {D, qd, 1, 1}, WeightKind::matrix);
        l.add(L.k_w, p + "attn_k.weight", {D, qd, 1, 1}, WeightKind::matrix);
        l.add(L.v_w, p + "attn_v.weight", {D, qd, 1, 1}, WeightKind::matrix);
        l.add(L.o_w, p + "attn_out.weight", {qd, D, 1, 1}, WeightKind::matrix);
        l.optional(L.q_b, p + "attn_q.bias", {qd, 1, 1, 1}, WeightKind::f32);
        l.optional(L.k_b, p + "attn_k.bias", {qd, 1, 1, 1}, WeightKind::f32);
        l.optional(L.v_b, p + "attn_v.bias", {qd, 1, 1, 1}, WeightKind::f32);
        l.optional(L.o_b, p + "attn_out.bias", {D, 1, 1, 1}, WeightKind::f32);

        // Old converters swapped the names of fc1 and fc2; clip.cpp recognises that by the
        // down projection reading the model width. A square FFN is ambiguous and taken as named.
        std::string up = p + "ffn_up", down = p + "ffn_down";
        const std::int64_t down_in = l.dim(down + ".weight", 0);
        const std::int64_t down_out = l.dim(down + ".weight", 1);
        if (down_in == D && down_out != D) std::swap(up, down);
        L.n_ff = l.dim(up + ".weight", 1);
        l.add(L.up_w, up + ".weight", {D, L.n_ff, 1, 1}, WeightKind::matrix);
        l.optional(L.up_b, up + ".bias", {L.n_ff, 1, 1, 1}, WeightKind::f32);
        l.optional(L.gate_w, p + "ffn_gate.weight", {D, L.n_ff, 1, 1}, WeightKind::matrix);
        l.optional(L.gate_b, p + "ffn_gate.bias", {L.n_ff, 1, 1, 1}, WeightKind::f32);
        l.add(L.down_w, down + ".weight", {L.n_ff, D, 1, 1}, WeightKind::matrix);
        l.optional(L.down_b, down + ".bias", {D, 1, 1, 1}, WeightKind::f32);
    }

    // The head's input width: a token after the merge.
    std::int64_t in = D;
    if (traits.merge == TokenMerge::pixel_shuffle) in = D * h.scale_factor * h.scale_factor;
    if (traits.merge == TokenMerge::merge_cells) in = D * h.spatial_merge * h.spatial_merge;
    const std::int64_t out = h.output_dim;
    switch (traits.head) {
        case ProjectorHead::linear:
            l.add(w.fc_w.emplace(), "mm.model.fc.weight", {in, out, 1, 1}, WeightKind::matrix);
            break;
        case ProjectorHead::norm_projection:
            l.add(w.soft_norm_w.emplace(), "mm.soft_emb_norm.weight", {in, 1, 1, 1},
                  WeightKind::f32);
            l.add(w.input_proj_w.emplace(), "mm.input_projection.weight", {out, in, 1, 1},
                  WeightKind::transposed);
            break;
        case ProjectorHead::mlp: {
            const std::int64_t hidden = l.dim("mm.0.weight", 1);
            l.add(w.mm0_w.emplace(), "mm.0.weight", {in, hidden, 1, 1}, WeightKind::matrix);
            l.add(w.mm0_b.emplace(), "mm.0.bias", {hidden, 1, 1, 1}, WeightKind::f32);
            l.add(w.mm2_w.emplace(), "mm.2.weight", {hidden, out, 1, 1}, WeightKind::matrix);
            l.add(w.mm2_b.emplace(), "mm.2.bias", {out, 1, 1, 1}, WeightKind::f32);
            break;
        }
    }
}

}  // namespace

VisionWeights load_vision_weights(gpu::Context& context, const gguf::File& file,
                                  const VisionHParams& h, std::int64_t n_run_layers) {
    WeightLoader l(file, "projector " + std::string(projector_traits(h.projector).name));
    VisionWeights w;
    plan_vision_weights(l, w, file, h, n_run_layers);
    w.buffers = l.upload_all(context, w.bytes);
    return w;
}

std::uint64_t check_vision_weights(const gguf::File& file, const VisionHParams& h,
                                   std::int64_t n_run_layers) {
    WeightLoader l(file, "projector " + std::string(projector_traits(h.projector).name));
    VisionWeights w;
    plan_vision_weights(l, w, file, h, n_run_layers);
    return l.convert_all();
}

}  // namespace prism::models
