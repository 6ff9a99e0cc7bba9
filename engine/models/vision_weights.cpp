#include "models/vision_weights.hpp"

#include <array>
#include <string>
#include <utility>

#include "prism/error.hpp"
#include "prism/quant.hpp"

namespace prism::models {
namespace {

enum class Kind {
    matrix,      // a linear layer's weight: any computable type, uploaded as stored
    f32,         // elementwise operand: widened to f32
    conv,        // patch kernel: F32 or F16 as stored, anything else widened to f32
    transposed,  // a 2-D matrix used the other way round: widened to f32 and transposed
};

using Shape = std::array<std::int64_t, 4>;

std::string shape_string(const Shape& s) {
    std::string out = "[" + std::to_string(s[0]);
    int last = 3;
    while (last > 0 && s[static_cast<std::size_t>(last)] == 1) --last;
    for (int i = 1; i <= last; ++i) out += ", " + std::to_string(s[static_cast<std::size_t>(i)]);
    return out + "]";
}

class Loader {
  public:
    explicit Loader(const gguf::File& file) : file_(file) {}

    bool has(const std::string& name) const { return file_.find_tensor(name) != nullptr; }

    void add(gpu::Tensor& target, const std::string& name, Shape shape, Kind kind) {
        const gguf::TensorInfo* info = file_.find_tensor(name);
        if (info == nullptr) {
            throw FormatError(file_.name() + ": tensor '" + name + "' is missing (projector " +
                              std::string(projector_) + ")");
        }
        for (std::size_t i = 0; i < 4; ++i) {
            if (info->ne[i] != static_cast<std::uint64_t>(shape[i])) {
                throw FormatError(file_.name() + ": tensor '" + name + "' has shape " +
                                  info->shape_string() + ", expected " + shape_string(shape));
            }
        }
        const auto& type = tensor_type_info(info->type);
        if (!type.computable) {
            throw FormatError(file_.name() + ": tensor '" + name + "' has type " +
                              std::string(type.name) + ", which Prism cannot compute with");
        }
        pending_.push_back({&target, info, shape, kind});
    }
    void optional(std::optional<gpu::Tensor>& target, const std::string& name, Shape shape,
                  Kind kind) {
        if (has(name)) add(target.emplace(), name, shape, kind);
    }
    void set_projector(std::string_view name) { projector_ = name; }

    std::vector<gpu::Buffer> upload_all(gpu::Context& context, std::uint64_t& bytes) const {
        std::vector<gpu::Buffer> buffers;
        buffers.reserve(pending_.size());
        for (const auto& p : pending_) {
            Shape shape = p.shape;
            std::vector<float> widened;
            const std::span<const std::byte> data = host_form(p, shape, widened);
            buffers.push_back(context.allocate(data.size()));
            context.upload(buffers.back().range(), data);
            bytes += data.size();
            gpu::Tensor t = gpu::Tensor::contiguous(buffers.back().range(),
                                                    kept(p) ? p.info->type : TensorType::F32,
                                                    {shape[0], shape[1], shape[2], shape[3]});
            *p.target = t;
        }
        return buffers;
    }

    // Everything upload_all does on the host, with nothing uploaded; the bytes it would upload.
    std::uint64_t convert_all() const {
        std::uint64_t bytes = 0;
        for (const auto& p : pending_) {
            Shape shape = p.shape;
            std::vector<float> widened;
            bytes += host_form(p, shape, widened).size();
        }
        return bytes;
    }

  private:
    struct Pending {
        gpu::Tensor* target;
        const gguf::TensorInfo* info;
        Shape shape;
        Kind kind;
    };

    static bool kept(const Pending& p) {
        return p.kind == Kind::matrix ||
               (p.kind == Kind::conv &&
                (p.info->type == TensorType::F32 || p.info->type == TensorType::F16));
    }

    // The bytes a tensor goes to the device as: the file's own, or widened to f32 (and
    // transposed) into `widened`, which then owns them; `shape` follows the transpose.
    static std::span<const std::byte> host_form(const Pending& p, Shape& shape,
                                                std::vector<float>& widened) {
        if (kept(p)) return p.info->data;
        widened =
            dequantize(p.info->type, p.info->data, static_cast<std::size_t>(p.info->n_elements()));
        if (p.kind == Kind::transposed) {
            std::vector<float> t(widened.size());
            const std::int64_t rows = shape[1], cols = shape[0];
            for (std::int64_t r = 0; r < rows; ++r) {
                for (std::int64_t c = 0; c < cols; ++c) {
                    t[static_cast<std::size_t>(c * rows + r)] =
                        widened[static_cast<std::size_t>(r * cols + c)];
                }
            }
            widened = std::move(t);
            std::swap(shape[0], shape[1]);
        }
        return std::as_bytes(std::span<const float>(widened));
    }

    const gguf::File& file_;
    std::string_view projector_;
    std::vector<Pending> pending_;
};

std::int64_t tensor_dim(const gguf::File& file, const std::string& name, int axis) {
    const gguf::TensorInfo* info = file.find_tensor(name);
    if (info == nullptr) throw FormatError(file.name() + ": tensor '" + name + "' is missing");
    return static_cast<std::int64_t>(info->ne[static_cast<std::size_t>(axis)]);
}

// Finds and checks every tensor the encoder needs, queuing each in `l` for its slot in `w`.
void plan_vision_weights(Loader& l, VisionWeights& w, const gguf::File& file,
                         const VisionHParams& h, std::int64_t n_run_layers) {
    const ProjectorTraits& traits = projector_traits(h.projector);
    l.set_projector(traits.name);
    const std::int64_t D = h.n_embd, P = h.patch_size, qd = h.n_head * h.head_dim;

    l.add(w.patch_w, "v.patch_embd.weight", {P, P, 3, D}, Kind::conv);
    if (traits.positions == PatchPositions::rope_2d) {  // the Conv3d's second temporal slice
        w.patch_w1.emplace();
        l.add(*w.patch_w1, "v.patch_embd.weight.1", {P, P, 3, D}, Kind::conv);
    }
    l.optional(w.patch_b, "v.patch_embd.bias", {D, 1, 1, 1}, Kind::f32);
    l.optional(w.class_embd, "v.class_embd", {D, 1, 1, 1}, Kind::f32);
    if (traits.positions == PatchPositions::learned) {
        const std::int64_t side = h.image_size / h.patch_size;
        w.position.emplace();
        l.add(*w.position, "v.position_embd.weight",
              {D, side * side + (w.class_embd ? 1 : 0), 1, 1}, Kind::f32);
    }
    l.optional(w.pre_ln_w, "v.pre_ln.weight", {D, 1, 1, 1}, Kind::f32);
    l.optional(w.pre_ln_b, "v.pre_ln.bias", {D, 1, 1, 1}, Kind::f32);
    l.optional(w.post_ln_w, "v.post_ln.weight", {D, 1, 1, 1}, Kind::f32);
    l.optional(w.post_ln_b, "v.post_ln.bias", {D, 1, 1, 1}, Kind::f32);

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
        l.add(L.ln1_w, p + "ln1.weight", {D, 1, 1, 1}, Kind::f32);
        l.optional(L.ln1_b, p + "ln1.bias", {D, 1, 1, 1}, Kind::f32);
        l.add(L.ln2_w, p + "ln2.weight", {D, 1, 1, 1}, Kind::f32);
        l.optional(L.ln2_b, p + "ln2.bias", {D, 1, 1, 1}, Kind::f32);
        l.add(L.q_w, p + "attn_q.weight", {D, qd, 1, 1}, Kind::matrix);
        l.add(L.k_w, p + "attn_k.weight", {D, qd, 1, 1}, Kind::matrix);
        l.add(L.v_w, p + "attn_v.weight", {D, qd, 1, 1}, Kind::matrix);
        l.add(L.o_w, p + "attn_out.weight", {qd, D, 1, 1}, Kind::matrix);
        l.optional(L.q_b, p + "attn_q.bias", {qd, 1, 1, 1}, Kind::f32);
        l.optional(L.k_b, p + "attn_k.bias", {qd, 1, 1, 1}, Kind::f32);
        l.optional(L.v_b, p + "attn_v.bias", {qd, 1, 1, 1}, Kind::f32);
        l.optional(L.o_b, p + "attn_out.bias", {D, 1, 1, 1}, Kind::f32);

        // Old converters swapped the names of fc1 and fc2; clip.cpp recognises that by the
        // down projection reading the model width. A square FFN is ambiguous and taken as named.
        std::string up = p + "ffn_up", down = p + "ffn_down";
        const std::int64_t down_in = tensor_dim(file, down + ".weight", 0);
        const std::int64_t down_out = tensor_dim(file, down + ".weight", 1);
        if (down_in == D && down_out != D) std::swap(up, down);
        L.n_ff = tensor_dim(file, up + ".weight", 1);
        l.add(L.up_w, up + ".weight", {D, L.n_ff, 1, 1}, Kind::matrix);
        l.optional(L.up_b, up + ".bias", {L.n_ff, 1, 1, 1}, Kind::f32);
        l.optional(L.gate_w, p + "ffn_gate.weight", {D, L.n_ff, 1, 1}, Kind::matrix);
        l.optional(L.gate_b, p + "ffn_gate.bias", {L.n_ff, 1, 1, 1}, Kind::f32);
        l.add(L.down_w, down + ".weight", {L.n_ff, D, 1, 1}, Kind::matrix);
        l.optional(L.down_b, down + ".bias", {D, 1, 1, 1}, Kind::f32);
    }

    // The head's input width: a token after the merge.
    std::int64_t in = D;
    if (traits.merge == TokenMerge::pixel_shuffle) in = D * h.scale_factor * h.scale_factor;
    if (traits.merge == TokenMerge::merge_cells) in = D * h.spatial_merge * h.spatial_merge;
    const std::int64_t out = h.output_dim;
    switch (traits.head) {
        case ProjectorHead::linear:
            l.add(w.fc_w.emplace(), "mm.model.fc.weight", {in, out, 1, 1}, Kind::matrix);
            break;
        case ProjectorHead::norm_projection:
            l.add(w.soft_norm_w.emplace(), "mm.soft_emb_norm.weight", {in, 1, 1, 1}, Kind::f32);
            l.add(w.input_proj_w.emplace(), "mm.input_projection.weight", {out, in, 1, 1},
                  Kind::transposed);
            break;
        case ProjectorHead::mlp: {
            const std::int64_t hidden = tensor_dim(file, "mm.0.weight", 1);
            l.add(w.mm0_w.emplace(), "mm.0.weight", {in, hidden, 1, 1}, Kind::matrix);
            l.add(w.mm0_b.emplace(), "mm.0.bias", {hidden, 1, 1, 1}, Kind::f32);
            l.add(w.mm2_w.emplace(), "mm.2.weight", {hidden, out, 1, 1}, Kind::matrix);
            l.add(w.mm2_b.emplace(), "mm.2.bias", {out, 1, 1, 1}, Kind::f32);
            break;
        }
    }
}

}  // namespace

VisionWeights load_vision_weights(gpu::Context& context, const gguf::File& file,
                                  const VisionHParams& h, std::int64_t n_run_layers) {
    Loader l(file);
    VisionWeights w;
    plan_vision_weights(l, w, file, h, n_run_layers);
    w.buffers = l.upload_all(context, w.bytes);
    return w;
}

std::uint64_t check_vision_weights(const gguf::File& file, const VisionHParams& h,
                                   std::int64_t n_run_layers) {
    Loader l(file);
    VisionWeights w;
    plan_vision_weights(l, w, file, h, n_run_layers);
    return l.convert_all();
}

}  // namespace prism::models
