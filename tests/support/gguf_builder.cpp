#include "support/gguf_builder.hpp"

#include <cstring>
#include <fstream>
#include <stdexcept>

namespace prism::test {
namespace {

void put_bytes(std::vector<std::byte>& out, const void* p, std::size_t n) {
    const auto* b = static_cast<const std::byte*>(p);
    out.insert(out.end(), b, b + n);
}

template <class T>
void put(std::vector<std::byte>& out, T v) {
    put_bytes(out, &v, sizeof(v));
}

void put_string(std::vector<std::byte>& out, std::string_view s) {
    put<std::uint64_t>(out, s.size());
    put_bytes(out, s.data(), s.size());
}

template <gguf::MetadataType T>
void put_scalar(std::vector<std::byte>& out, const T& v) {
    if constexpr (std::same_as<T, std::string> || std::same_as<T, std::string_view>) {
        put_string(out, v);
    } else if constexpr (std::same_as<T, bool>) {
        put<std::uint8_t>(out, v ? 1 : 0);
    } else {
        put<T>(out, v);
    }
}

std::uint64_t align_up(std::uint64_t x, std::uint64_t a) {
    return (x + a - 1) / a * a;
}

}  // namespace

GgufBuilder& GgufBuilder::version(std::uint32_t v) {
    version_ = v;
    return *this;
}

GgufBuilder& GgufBuilder::alignment(std::uint32_t a) {
    alignment_ = a;
    return set<std::uint32_t>("general.alignment", a);
}

template <gguf::MetadataType T>
GgufBuilder& GgufBuilder::set(const std::string& key, const T& value) {
    put_string(kv_, key);
    put<std::uint32_t>(kv_, static_cast<std::uint32_t>(gguf::value_type_of<T>()));
    put_scalar<T>(kv_, value);
    ++n_kv_;
    return *this;
}

template <gguf::MetadataType T>
GgufBuilder& GgufBuilder::set_array(const std::string& key, const std::vector<T>& values) {
    put_string(kv_, key);
    put<std::uint32_t>(kv_, static_cast<std::uint32_t>(gguf::ValueType::Array));
    put<std::uint32_t>(kv_, static_cast<std::uint32_t>(gguf::value_type_of<T>()));
    put<std::uint64_t>(kv_, values.size());
    for (const T& v : values) put_scalar<T>(kv_, v);
    ++n_kv_;
    return *this;
}

GgufBuilder& GgufBuilder::tensor(const std::string& name, TensorType type,
                                 std::vector<std::uint64_t> ne, std::vector<std::byte> data) {
    std::uint64_t rows = 1;
    for (std::size_t d = 1; d < ne.size(); ++d) rows *= ne[d];
    const std::uint64_t bytes = ne.empty() ? row_bytes(type, 1) : row_bytes(type, ne[0]) * rows;
    if (data.empty()) {
        data.resize(bytes);
        for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 7 + 1);
    }
    if (data.size() != bytes) {
        throw std::invalid_argument("GgufBuilder: tensor '" + name + "' needs " +
                                    std::to_string(bytes) + " bytes, got " +
                                    std::to_string(data.size()));
    }
    tensors_.push_back({name, type, std::move(ne), std::move(data)});
    return *this;
}

GgufBuilder& GgufBuilder::tensor_f32(const std::string& name, std::vector<std::uint64_t> ne,
                                     const std::vector<float>& values) {
    std::vector<std::byte> data(values.size() * sizeof(float));
    std::memcpy(data.data(), values.data(), data.size());
    return tensor(name, TensorType::F32, std::move(ne), std::move(data));
}

std::vector<std::byte> GgufBuilder::bytes() const {
    std::vector<std::byte> out;
    put_bytes(out, "GGUF", 4);
    put<std::uint32_t>(out, version_);
    put<std::uint64_t>(out, tensors_.size());
    put<std::uint64_t>(out, n_kv_);
    out.insert(out.end(), kv_.begin(), kv_.end());
    std::uint64_t offset = 0;
    for (const auto& t : tensors_) {
        put_string(out, t.name);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.ne.size()));
        for (auto n : t.ne) put<std::uint64_t>(out, n);
        put<std::uint32_t>(out, static_cast<std::uint32_t>(t.type));
        put<std::uint64_t>(out, offset);
        offset = align_up(offset + t.data.size(), alignment_);
    }
    if (tensors_.empty()) return out;
    out.resize(align_up(out.size(), alignment_));
    const std::size_t data_start = out.size();
    offset = 0;
    for (const auto& t : tensors_) {
        out.resize(data_start + offset);
        out.insert(out.end(), t.data.begin(), t.data.end());
        offset = align_up(offset + t.data.size(), alignment_);
    }
    return out;
}

void GgufBuilder::write(const std::filesystem::path& path) const {
    const auto b = bytes();
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
    if (!f) throw std::runtime_error("GgufBuilder: cannot write " + path.string());
}

GgufBuilder synthetic_mmproj(bool audio) {
    GgufBuilder b;
    b.set("general.architecture", "clip")
        .set("general.type", "mmproj")
        .set("general.name", "synthetic-mmproj")
        .set<std::uint32_t>("general.file_type", 1)
        .set("clip.projector_type", "idefics3")
        .set<bool>("clip.has_vision_encoder", true)
        .set<bool>("clip.has_audio_encoder", audio)
        .set<bool>("clip.use_gelu", true)
        .set<std::uint32_t>("clip.vision.image_size", 64)
        .set<std::uint32_t>("clip.vision.patch_size", 16)
        .set<std::uint32_t>("clip.vision.embedding_length", 32)
        .set<std::uint32_t>("clip.vision.feed_forward_length", 96)
        .set<std::uint32_t>("clip.vision.block_count", 2)
        .set<std::uint32_t>("clip.vision.attention.head_count", 4)
        .set<float>("clip.vision.attention.layer_norm_epsilon", 1e-6f)
        .set<std::uint32_t>("clip.vision.projection_dim", 48)
        .set<std::uint32_t>("clip.vision.projector.scale_factor", 2)
        .set_array<float>("clip.vision.image_mean", {0.5f, 0.5f, 0.5f})
        .set_array<float>("clip.vision.image_std", {0.5f, 0.5f, 0.5f});
    b.tensor("v.patch_embd.weight", TensorType::F16, {16, 16, 3, 32})
        .tensor("v.patch_embd.bias", TensorType::F32, {32})
        .tensor("v.position_embd.weight", TensorType::F32, {32, 16});
    for (int layer = 0; layer < 2; ++layer) {
        const std::string p = "v.blk." + std::to_string(layer) + ".";
        b.tensor(p + "attn_q.weight", TensorType::F16, {32, 32})
            .tensor(p + "ffn_up.weight", TensorType::F16, {32, 96})
            .tensor(p + "ffn_down.weight", TensorType::F16, {96, 32})
            .tensor(p + "ln1.weight", TensorType::F32, {32});
    }
    b.tensor("mm.model.fc.weight", TensorType::F16, {128, 48});
    if (audio) {
        b.set("clip.audio.projector_type", "ultravox")
            .set<std::uint32_t>("clip.audio.num_mel_bins", 80)
            .set<std::uint32_t>("clip.audio.embedding_length", 24)
            .set<std::uint32_t>("clip.audio.feed_forward_length", 64)
            .set<std::uint32_t>("clip.audio.block_count", 1)
            .set<std::uint32_t>("clip.audio.attention.head_count", 2)
            .set<float>("clip.audio.attention.layer_norm_epsilon", 1e-5f)
            .set<std::uint32_t>("clip.audio.projection_dim", 48);
        b.tensor("a.conv1d.1.weight", TensorType::F16, {3, 80, 24})
            .tensor("a.blk.0.attn_q.weight", TensorType::F16, {24, 24})
            .tensor("mm.a.mlp.1.weight", TensorType::Q8_0, {96, 48});
    }
    return b;
}

#define PRISM_BUILDER_INSTANTIATE(T)                                         \
    template GgufBuilder& GgufBuilder::set<T>(const std::string&, const T&); \
    template GgufBuilder& GgufBuilder::set_array<T>(const std::string&, const std::vector<T>&);
PRISM_BUILDER_INSTANTIATE(std::uint8_t)
PRISM_BUILDER_INSTANTIATE(std::int8_t)
PRISM_BUILDER_INSTANTIATE(std::uint16_t)
PRISM_BUILDER_INSTANTIATE(std::int16_t)
PRISM_BUILDER_INSTANTIATE(std::uint32_t)
PRISM_BUILDER_INSTANTIATE(std::int32_t)
PRISM_BUILDER_INSTANTIATE(std::uint64_t)
PRISM_BUILDER_INSTANTIATE(std::int64_t)
PRISM_BUILDER_INSTANTIATE(float)
PRISM_BUILDER_INSTANTIATE(double)
PRISM_BUILDER_INSTANTIATE(bool)
PRISM_BUILDER_INSTANTIATE(std::string)
PRISM_BUILDER_INSTANTIATE(std::string_view)
#undef PRISM_BUILDER_INSTANTIATE

}  // namespace prism::test
