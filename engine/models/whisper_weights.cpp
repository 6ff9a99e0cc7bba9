#include "models/whisper_weights.hpp"

#include <string>

#include "prism/error.hpp"
#include "prism/quant.hpp"

namespace prism::models {

void WhisperTensorLoader::add(gpu::Tensor& target, const std::string& name,
                              std::array<std::int64_t, 4> shape, Kind kind) {
    const gguf::TensorInfo* info = file_.find_tensor(name);
    if (info == nullptr) {
        throw FormatError(file_.name() + ": tensor '" + name + "' is missing (Whisper model)");
    }
    for (std::size_t i = 0; i < 4; ++i) {
        if (info->ne[i] != static_cast<std::uint64_t>(shape[i])) {
            throw FormatError(file_.name() + ": tensor '" + name + "' has shape " +
                              info->shape_string() + ", expected [" + std::to_string(shape[0]) +
                              ", " + std::to_string(shape[1]) + ", " + std::to_string(shape[2]) +
                              "]");
        }
    }
    const auto& type = tensor_type_info(info->type);
    if (!type.computable) {
        throw FormatError(file_.name() + ": tensor '" + name + "' has type " +
                          std::string(type.name) + ", which Prism cannot compute with");
    }
    pending_.push_back({&target, info, shape, kind});
}

void WhisperTensorLoader::matrix(gpu::Tensor& target, const std::string& name, std::int64_t in,
                                 std::int64_t out) {
    add(target, name, {in, out, 1, 1}, Kind::matrix);
}

void WhisperTensorLoader::f32(gpu::Tensor& target, const std::string& name,
                              std::array<std::int64_t, 4> shape) {
    add(target, name, shape, Kind::f32);
}

void WhisperTensorLoader::plain(gpu::Tensor& target, const std::string& name,
                                std::array<std::int64_t, 4> shape) {
    add(target, name, shape, Kind::plain);
}

void WhisperTensorLoader::linear(WhisperLinear& target, const std::string& name, std::int64_t in,
                                 std::int64_t out, bool bias) {
    matrix(target.weight, name + ".weight", in, out);
    if (bias) f32(target.bias, name + ".bias", {out, 1, 1, 1});
}

void WhisperTensorLoader::norm(WhisperNorm& target, const std::string& name, std::int64_t n) {
    f32(target.weight, name + ".weight", {n, 1, 1, 1});
    f32(target.bias, name + ".bias", {n, 1, 1, 1});
}

std::vector<gpu::Buffer> WhisperTensorLoader::upload(gpu::Context& context, std::uint64_t& bytes) {
    std::vector<gpu::Buffer> buffers;
    buffers.reserve(pending_.size());
    for (const Pending& p : pending_) {
        const bool kept = p.kind == Kind::matrix ||
                          (p.kind == Kind::plain &&
                           (p.info->type == TensorType::F16 || p.info->type == TensorType::F32));
        std::vector<float> widened;
        std::span<const std::byte> data = p.info->data;
        if (!kept) {
            widened = dequantize(p.info->type, p.info->data,
                                 static_cast<std::size_t>(p.info->n_elements()));
            data = std::as_bytes(std::span<const float>(widened));
        }
        buffers.push_back(context.allocate(data.size()));
        context.upload(buffers.back().range(), data);
        bytes += data.size();
        *p.target =
            gpu::Tensor::contiguous(buffers.back().range(), kept ? p.info->type : TensorType::F32,
                                    {p.shape[0], p.shape[1], p.shape[2], p.shape[3]});
    }
    pending_.clear();
    return buffers;
}

WhisperDecoderWeights load_whisper_decoder_weights(gpu::Context& context, const gguf::File& file,
                                                   const WhisperHParams& h) {
    WhisperDecoderWeights w;
    WhisperTensorLoader l(file);
    const std::int64_t D = h.n_state, F = h.n_ff;
    l.matrix(w.token_embd, "dec.token_embd.weight", D, h.n_vocab);
    l.f32(w.position, "dec.position_embd.weight", {D, h.n_text_ctx, 1, 1});
    w.layers.resize(static_cast<std::size_t>(h.n_dec_layer));
    for (std::int64_t il = 0; il < h.n_dec_layer; ++il) {
        auto& L = w.layers[static_cast<std::size_t>(il)];
        const std::string p = "dec.blk." + std::to_string(il) + ".";
        l.norm(L.attn_ln, p + "attn_ln", D);
        l.linear(L.attn_q, p + "attn_q", D, D);
        l.linear(L.attn_k, p + "attn_k", D, D, false);
        l.linear(L.attn_v, p + "attn_v", D, D);
        l.linear(L.attn_out, p + "attn_out", D, D);
        l.norm(L.cross_ln, p + "cross_ln", D);
        l.linear(L.cross_q, p + "cross_q", D, D);
        l.linear(L.cross_k, p + "cross_k", D, D, false);
        l.linear(L.cross_v, p + "cross_v", D, D);
        l.linear(L.cross_out, p + "cross_out", D, D);
        l.norm(L.ffn_ln, p + "ffn_ln", D);
        l.linear(L.ffn_up, p + "ffn_up", D, F);
        l.linear(L.ffn_down, p + "ffn_down", F, D);
    }
    l.norm(w.post_ln, "dec.post_ln", D);
    w.buffers = l.upload(context, w.bytes);
    return w;
}

}  // namespace prism::models
