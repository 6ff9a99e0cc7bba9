#include "models/weights.hpp"

#include <array>
#include <future>
#include <span>
#include <string>
#include <utility>

#include "models/weight_widen.hpp"
#include "prism/error.hpp"

namespace prism::models {
namespace {

// Checks every tensor first (presence, shape, type) and uploads them all at the end, so a bad
// file fails before any device memory is spent.
class WeightLoader {
  public:
    WeightLoader(gpu::Context& context, const gguf::File& file) : context_(context), file_(file) {}

    // `target` must stay where it is until upload_all() fills it in.
    void matrix(gpu::Tensor& target, const std::string& name, std::int64_t ne0, std::int64_t ne1) {
        const auto& info = expect(name, ne0, ne1, true);
        pending_.push_back({&target, {&info}, info.type, ne0, ne1, true});
    }
    void vector(gpu::Tensor& target, const std::string& name, std::int64_t ne0) {
        const auto& info = expect(name, ne0, 1, false);
        pending_.push_back({&target, {&info}, info.type, ne0, 1, false});
    }

    // Matrices [ne0, rows[i]] stacked along rows into one, when their types share one that
    // holds every weight exactly and the result fits one storage binding (`fits_binding`);
    // otherwise false and nothing is queued.
    bool stacked(gpu::Tensor& target, std::span<const std::string> names, std::int64_t ne0,
                 std::span<const std::int64_t> rows, bool fits_binding) {
        std::vector<const gguf::TensorInfo*> parts;
        std::vector<TensorType> types;
        std::int64_t total = 0;
        for (std::size_t i = 0; i < names.size(); ++i) {
            parts.push_back(&expect(names[i], ne0, rows[i], true));
            types.push_back(parts.back()->type);
            total += rows[i];
        }
        const auto type = shared_weight_type(types);
        if (!type) return false;
        const std::uint64_t bytes =
            row_bytes(*type, static_cast<std::uint64_t>(ne0)) * static_cast<std::uint64_t>(total);
        const auto& dev = context_.device();
        if (fits_binding &&
            bytes > dev.max_storage_buffer_range - dev.min_storage_buffer_offset_alignment)
            return false;
        pending_.push_back({&target, std::move(parts), *type, ne0, total, true});
        return true;
    }

    // F32 vectors joined end to end.
    void joined(gpu::Tensor& target, std::span<const std::string> names,
                std::span<const std::int64_t> sizes) {
        std::vector<const gguf::TensorInfo*> parts;
        std::int64_t total = 0;
        for (std::size_t i = 0; i < names.size(); ++i) {
            parts.push_back(&expect(names[i], sizes[i], 1, false));
            total += sizes[i];
        }
        pending_.push_back({&target, std::move(parts), TensorType::F32, total, 1, false});
    }

    // Allocates every tensor's buffer and points its target at it, contents not yet there.
    std::vector<gpu::Buffer> allocate_all() {
        std::vector<gpu::Buffer> buffers;
        buffers.reserve(pending_.size());
        for (const auto& p : pending_) {
            buffers.push_back(context_.allocate(p.bytes()));
            *p.target =
                p.matrix ? gpu::Tensor::contiguous(buffers.back().range(), p.type, {p.ne0, p.ne1})
                         : gpu::Tensor::contiguous(buffers.back().range(), p.type, {p.ne0});
        }
        return buffers;
    }

    void upload_all(std::span<gpu::Buffer> buffers, std::uint64_t& bytes,
                    const UploadProgress& progress) {
        std::uint64_t total = 0;
        for (const auto& p : pending_) total += p.bytes();
        for (std::size_t i = 0; i < pending_.size(); ++i) {
            const Pending& p = pending_[i];
            gpu::Buffer& buffer = buffers[i];
            std::uint64_t at = 0;
            for (const gguf::TensorInfo* part : p.parts) {
                if (part->type == p.type) {
                    context_.upload(buffer.range(at, part->n_bytes), part->data);
                    at += part->n_bytes;
                } else {
                    const auto wide = widen_to_q8_0(part->type, part->data);
                    context_.upload(buffer.range(at, wide.size()),
                                    std::span<const std::byte>(wide));
                    at += wide.size();
                }
            }
            bytes += p.bytes();
            if (progress) progress(bytes, total);
        }
    }

  private:
    // A matrix is [ne0, ne1]; a vector [ne0] (F32 only: norms, biases and rope factors).
    const gguf::TensorInfo& expect(const std::string& name, std::int64_t ne0, std::int64_t ne1,
                                   bool matrix) {
        const gguf::TensorInfo* info = file_.find_tensor(name);
        if (info == nullptr) {
            throw FormatError(file_.name() + ": tensor '" + name + "' is missing (architecture " +
                              file_.get<std::string>("general.architecture") + ")");
        }
        const bool shape_ok = info->n_dims <= (matrix ? 2u : 1u) &&
                              info->ne[0] == static_cast<std::uint64_t>(ne0) &&
                              info->ne[1] == static_cast<std::uint64_t>(ne1);
        if (!shape_ok) {
            const std::string want =
                "[" + std::to_string(ne0) + (matrix ? ", " + std::to_string(ne1) : "") + "]";
            throw FormatError(file_.name() + ": tensor '" + name + "' has shape " +
                              info->shape_string() + ", expected " + want);
        }
        const auto& type = tensor_type_info(info->type);
        if (!type.computable || (!matrix && info->type != TensorType::F32)) {
            throw FormatError(file_.name() + ": tensor '" + name + "' has type " +
                              std::string(type.name) + ", which Prism cannot use here" +
                              (matrix ? "" : " (norms, biases and factors must be F32)"));
        }
        return *info;
    }

    struct Pending {
        gpu::Tensor* target;
        std::vector<const gguf::TensorInfo*> parts;  // stacked in this order
        TensorType type;                             // on the device
        std::int64_t ne0, ne1;
        bool matrix;
        std::uint64_t bytes() const {
            return row_bytes(type, static_cast<std::uint64_t>(ne0)) *
                   static_cast<std::uint64_t>(ne1);
        }
    };
    gpu::Context& context_;
    const gguf::File& file_;
    std::vector<Pending> pending_;
};

}  // namespace

void load_weights(gpu::Context& context, const gguf::File& file, DecoderHParams& h,
                  const ArchitectureTraits& traits, DecoderWeights& w,
                  const UploadProgress& progress, const std::function<void()>& alongside) {
    WeightLoader loader(context, file);
    w = DecoderWeights();

    const gguf::TensorInfo* embd = file.find_tensor("token_embd.weight");
    if (embd == nullptr) {
        throw FormatError(file.name() + ": tensor 'token_embd.weight' is missing (architecture " +
                          h.architecture + ")");
    }
    h.n_vocab = static_cast<std::int64_t>(embd->ne[1]);
    loader.matrix(w.token_embd, "token_embd.weight", h.n_embd, h.n_vocab);
    loader.vector(w.output_norm, "output_norm.weight", h.n_embd);
    const bool tied = file.find_tensor("output.weight") == nullptr;
    if (!tied) loader.matrix(w.output, "output.weight", h.n_embd, h.n_vocab);
    if (file.find_tensor("rope_freqs.weight") != nullptr) {
        w.rope_freqs.emplace();
        loader.vector(*w.rope_freqs, "rope_freqs.weight", h.n_rot / 2);
    }

    const std::int64_t q_dim = h.n_head * h.head_dim;
    const std::int64_t kv_dim = h.n_head_kv * h.head_dim;
    w.layers.resize(static_cast<std::size_t>(h.n_layer));
    for (std::int64_t il = 0; il < h.n_layer; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        LayerWeights& l = w.layers[static_cast<std::size_t>(il)];
        loader.vector(l.attn_norm, p + "attn_norm.weight", h.n_embd);
        const std::array<std::int64_t, 3> qkv_rows{q_dim, kv_dim, kv_dim};
        const std::array<std::string, 3> qkv{p + "attn_q.weight", p + "attn_k.weight",
                                             p + "attn_v.weight"};
        // Matrix products split rows over bindings, so only the gated pair must fit one.
        if (!loader.stacked(l.wqkv.emplace(), qkv, h.n_embd, qkv_rows, false)) {
            l.wqkv.reset();
            loader.matrix(l.wq, qkv[0], h.n_embd, q_dim);
            loader.matrix(l.wk, qkv[1], h.n_embd, kv_dim);
            loader.matrix(l.wv, qkv[2], h.n_embd, kv_dim);
        }
        loader.matrix(l.wo, p + "attn_output.weight", q_dim, h.n_embd);
        loader.vector(l.ffn_norm, p + "ffn_norm.weight", h.n_embd);
        const std::array<std::int64_t, 2> ffn_rows{h.n_ff, h.n_ff};
        const std::array<std::string, 2> gate_up{p + "ffn_gate.weight", p + "ffn_up.weight"};
        if (!loader.stacked(l.ffn_gate_up.emplace(), gate_up, h.n_embd, ffn_rows, true)) {
            l.ffn_gate_up.reset();
            loader.matrix(l.ffn_gate, gate_up[0], h.n_embd, h.n_ff);
            loader.matrix(l.ffn_up, gate_up[1], h.n_embd, h.n_ff);
        }
        loader.matrix(l.ffn_down, p + "ffn_down.weight", h.n_ff, h.n_embd);
        if (traits.qkv_bias) {
            const std::array<std::string, 3> names{p + "attn_q.bias", p + "attn_k.bias",
                                                   p + "attn_v.bias"};
            loader.joined(l.bqkv.emplace(), names, qkv_rows);
        }
        if (traits.qk_norm) {
            loader.vector(l.q_norm.emplace(), p + "attn_q_norm.weight", h.head_dim);
            loader.vector(l.k_norm.emplace(), p + "attn_k_norm.weight", h.head_dim);
        }
        if (traits.post_norms) {
            loader.vector(l.post_attn_norm.emplace(), p + "post_attention_norm.weight", h.n_embd);
            loader.vector(l.post_ffn_norm.emplace(), p + "post_ffw_norm.weight", h.n_embd);
        }
    }
    w.buffers = loader.allocate_all();
    if (tied) w.output = w.token_embd;
    std::future<void> beside;
    if (alongside) beside = std::async(std::launch::async, alongside);
    try {
        loader.upload_all(w.buffers, w.bytes, progress);
    } catch (...) {
        if (beside.valid()) beside.wait();  // it uses the weights; its own error is moot now
        throw;
    }
    if (beside.valid()) beside.get();
}

}  // namespace prism::models
