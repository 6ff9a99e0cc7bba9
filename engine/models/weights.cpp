#include "models/weights.hpp"

#include <string>
#include <utility>

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
        pending_.push_back({&target, &expect(name, ne0, ne1, true)});
    }
    void vector(gpu::Tensor& target, const std::string& name, std::int64_t ne0) {
        pending_.push_back({&target, &expect(name, ne0, 1, false)});
    }

    std::vector<gpu::Buffer> upload_all(std::uint64_t& bytes, const UploadProgress& progress) {
        std::vector<gpu::Buffer> buffers;
        buffers.reserve(pending_.size());
        std::uint64_t total = 0;
        for (const auto& p : pending_) total += p.info->n_bytes;
        for (const auto& [target, info] : pending_) {
            buffers.push_back(context_.allocate(info->n_bytes));
            context_.upload(buffers.back().range(), info->data);
            bytes += info->n_bytes;
            *target = gpu::Tensor::contiguous(
                buffers.back().range(), info->type,
                {static_cast<std::int64_t>(info->ne[0]), static_cast<std::int64_t>(info->ne[1])});
            if (progress) progress(bytes, total);
        }
        return buffers;
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
        const gguf::TensorInfo* info;
    };
    gpu::Context& context_;
    const gguf::File& file_;
    std::vector<Pending> pending_;
};

}  // namespace

DecoderWeights load_weights(gpu::Context& context, const gguf::File& file, DecoderHParams& h,
                            const ArchitectureTraits& traits, const UploadProgress& progress) {
    WeightLoader loader(context, file);
    DecoderWeights w;

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
        loader.matrix(l.wq, p + "attn_q.weight", h.n_embd, q_dim);
        loader.matrix(l.wk, p + "attn_k.weight", h.n_embd, kv_dim);
        loader.matrix(l.wv, p + "attn_v.weight", h.n_embd, kv_dim);
        loader.matrix(l.wo, p + "attn_output.weight", q_dim, h.n_embd);
        loader.vector(l.ffn_norm, p + "ffn_norm.weight", h.n_embd);
        loader.matrix(l.ffn_gate, p + "ffn_gate.weight", h.n_embd, h.n_ff);
        loader.matrix(l.ffn_up, p + "ffn_up.weight", h.n_embd, h.n_ff);
        loader.matrix(l.ffn_down, p + "ffn_down.weight", h.n_ff, h.n_embd);
        if (traits.qkv_bias) {
            loader.vector(l.bq.emplace(), p + "attn_q.bias", q_dim);
            loader.vector(l.bk.emplace(), p + "attn_k.bias", kv_dim);
            loader.vector(l.bv.emplace(), p + "attn_v.bias", kv_dim);
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
    w.buffers = loader.upload_all(w.bytes, progress);
    if (tied) w.output = w.token_embd;
    return w;
}

}  // namespace prism::models
