#include "prism/models/architecture.hpp"

#include <array>
#include <cmath>
#include <string>

#include "models/hparams_check.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/printable.hpp"

namespace prism::models {
namespace {

// llama.cpp's converter permutes the rows of attn_q/attn_k of `llama` files so that HF's
// rotate-half RoPE becomes the adjacent-pair (normal) rotation; the file is used as stored.
constexpr std::array kArchitectures{
    ArchitectureTraits{.name = "llama",
                       .rope_mode = ops::RopeMode::normal,
                       .ffn_activation = ops::Activation::silu,
                       .rope_dims_equal_head_dim = true},
    ArchitectureTraits{.name = "qwen2",
                       .rope_mode = ops::RopeMode::neox,
                       .ffn_activation = ops::Activation::silu,
                       .qkv_bias = true},
    // Qwen2-VL / Qwen2.5-VL / Qwen2.5-Omni text: qwen2's layout, NEOX pairs whose angles take
    // the t, h or w position by rope.dimension_sections (ggml's rope_multi).
    ArchitectureTraits{.name = "qwen2vl",
                       .rope_mode = ops::RopeMode::multi,
                       .ffn_activation = ops::Activation::silu,
                       .qkv_bias = true},
    ArchitectureTraits{.name = "qwen3",
                       .rope_mode = ops::RopeMode::neox,
                       .ffn_activation = ops::Activation::silu,
                       .qk_norm = true},
    // Gemma's (1 + w) norms are stored with the 1 added by the converter, so they are plain
    // RMSNorm weights here; its GELU is the tanh approximation (gelu_pytorch_tanh).
    ArchitectureTraits{.name = "gemma3",
                       .rope_mode = ops::RopeMode::neox,
                       .ffn_activation = ops::Activation::gelu,
                       .qk_norm = true,
                       .post_norms = true,
                       .scale_embeddings = true,
                       .sliding_window = true},
};

std::string key(const DecoderHParams& h, std::string_view suffix) {
    return h.architecture + "." + std::string(suffix);
}

// A count that converters write either as one integer or as a per-layer array; Prism needs one
// value for every layer for now.
std::int64_t uniform_count(const gguf::File& file, const std::string& k) {
    const gguf::Value& v = file.value(k);
    if (!v.is_array()) return v.as_integer<std::int64_t>();
    std::vector<std::int64_t> values;
    if (v.element_type() == gguf::ValueType::U32) {
        for (auto x : v.as_array<std::uint32_t>()) values.push_back(x);
    } else if (v.element_type() == gguf::ValueType::I32) {
        for (auto x : v.as_array<std::int32_t>()) values.push_back(x);
    } else {
        throw FormatError(file.name() + ": " + k + " is an array of " +
                          std::string(gguf::value_type_name(v.element_type())) +
                          ", expected u32 or i32");
    }
    if (values.empty()) throw FormatError(file.name() + ": " + k + " is an empty array");
    for (auto x : values) {
        if (x != values.front())
            throw FormatError(file.name() + ": " + k +
                              " differs between layers, which Prism does not support yet");
    }
    return values.front();
}

std::int64_t optional_count(const gguf::File& file, const std::string& k, std::int64_t fallback) {
    return file.contains(k) ? uniform_count(file, k) : fallback;
}

float optional_float(const gguf::File& file, const std::string& k, float fallback) {
    const gguf::Value* v = file.find(k);
    if (v == nullptr) return fallback;
    if (v->type() == gguf::ValueType::F64) return static_cast<float>(v->as<double>());
    return v->as<float>();
}

// Which layers attend through a sliding window. llama.cpp's gemma3 loader assumes period 6
// (five sliding layers, then a global one) unless the file states the pattern, either as a
// period (layer il slides when il % period < period - 1; period 0 makes all slide, as in
// llama.cpp's set_swa_pattern) or as one bool per layer.
std::vector<bool> sliding_layers(const gguf::File& file, const std::string& k,
                                 std::int64_t n_layer) {
    constexpr std::int64_t kDefaultPeriod = 6;
    const gguf::Value* pattern = file.find(k);
    if (pattern != nullptr && pattern->is_array()) {
        if (pattern->element_type() != gguf::ValueType::Bool) {
            throw FormatError(file.name() + ": " + k + " is an array of " +
                              std::string(gguf::value_type_name(pattern->element_type())) +
                              ", expected a period or one bool per layer");
        }
        auto flags = pattern->as_array<bool>();
        if (static_cast<std::int64_t>(flags.size()) != n_layer) {
            throw FormatError(file.name() + ": " + k + " has " + std::to_string(flags.size()) +
                              " entries for " + std::to_string(n_layer) + " layers");
        }
        return flags;
    }
    const std::int64_t period =
        pattern != nullptr ? pattern->as_integer<std::int64_t>() : kDefaultPeriod;
    if (period < 0)
        throw FormatError(file.name() + ": " + k + " is " + std::to_string(period) +
                          ", expected a period >= 0");
    std::vector<bool> flags(static_cast<std::size_t>(n_layer));
    for (std::int64_t il = 0; il < n_layer; ++il)
        flags[static_cast<std::size_t>(il)] = period == 0 || il % period < period - 1;
    return flags;
}

// rope.dimension_sections: up to four counts (llama.cpp reads at most 4 and zero-fills);
// their sum must be positive and no more than the n_rot/2 rotated pairs.
std::array<std::int32_t, 4> rope_sections(const gguf::File& file, const std::string& k,
                                          std::int64_t n_rot) {
    const gguf::Value& v = file.value(k);
    std::vector<std::int64_t> values;
    if (v.is_array() && v.element_type() == gguf::ValueType::I32) {
        for (auto x : v.as_array<std::int32_t>()) values.push_back(x);
    } else if (v.is_array() && v.element_type() == gguf::ValueType::U32) {
        for (auto x : v.as_array<std::uint32_t>()) values.push_back(x);
    } else {
        throw FormatError(file.name() + ": " + k + " must be an array of up to 4 integers");
    }
    if (values.empty() || values.size() > 4)
        throw FormatError(file.name() + ": " + k + " has " + std::to_string(values.size()) +
                          " entries, expected 1 to 4");
    std::array<std::int32_t, 4> sections{};
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] < 0 || values[i] > n_rot)
            throw FormatError(file.name() + ": " + k + " entry " + std::to_string(values[i]) +
                              " is out of range");
        sections[i] = static_cast<std::int32_t>(values[i]);
        sum += values[i];
    }
    if (sum <= 0 || sum > n_rot / 2)
        throw FormatError(file.name() + ": " + k + " sums to " + std::to_string(sum) +
                          ", expected 1 .. n_rot/2 = " + std::to_string(n_rot / 2));
    return sections;
}

}  // namespace

const ArchitectureTraits* find_architecture(std::string_view name) {
    for (const auto& a : kArchitectures) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

std::string supported_architectures() {
    std::string list;
    for (const auto& a : kArchitectures) list += (list.empty() ? "" : ", ") + std::string(a.name);
    return list;
}

DecoderHParams read_hparams(const gguf::File& file) {
    DecoderHParams h;
    h.architecture = file.get<std::string>("general.architecture");
    const ArchitectureTraits* traits = find_architecture(h.architecture);
    if (h.architecture == "whisper") {
        throw FormatError(file.name() +
                          ": a Whisper speech model, not a text model (prism-cli transcribe "
                          "runs it)");
    }
    if (traits == nullptr) {
        throw FormatError(
            file.name() + ": architecture '" + printable(h.architecture) +
            "' is not supported by Prism's decoder (supported: " + supported_architectures() + ")");
    }

    h.n_layer = uniform_count(file, key(h, "block_count"));
    h.n_embd = uniform_count(file, key(h, "embedding_length"));
    h.n_ff = uniform_count(file, key(h, "feed_forward_length"));
    h.n_head = uniform_count(file, key(h, "attention.head_count"));
    h.n_ctx_train = uniform_count(file, key(h, "context_length"));
    for (auto [k, v] : {std::pair{"block_count", h.n_layer},
                        {"embedding_length", h.n_embd},
                        {"feed_forward_length", h.n_ff},
                        {"attention.head_count", h.n_head},
                        {"context_length", h.n_ctx_train}}) {
        require_positive(file, key(h, k), v);
    }
    h.n_head_kv = optional_count(file, key(h, "attention.head_count_kv"), h.n_head);
    require_positive(file, key(h, "attention.head_count_kv"), h.n_head_kv);
    if (!file.contains(key(h, "attention.key_length"))) {
        require_divides(file, key(h, "attention.head_count"), h.n_head, "embedding_length",
                        h.n_embd);
    }
    h.head_dim = optional_count(file, key(h, "attention.key_length"), h.n_embd / h.n_head);
    const std::int64_t value_length =
        optional_count(file, key(h, "attention.value_length"), h.head_dim);
    if (value_length != h.head_dim) {
        throw FormatError(file.name() + ": attention.value_length " + std::to_string(value_length) +
                          " differs from key_length " + std::to_string(h.head_dim) +
                          ", which Prism does not support");
    }
    require_positive(file, key(h, "attention.key_length"), h.head_dim);
    h.n_rot = optional_count(file, key(h, "rope.dimension_count"), h.head_dim);
    if (h.n_rot <= 0 || h.n_rot % 2 != 0 || h.n_rot > h.head_dim ||
        (traits->rope_dims_equal_head_dim && h.n_rot != h.head_dim)) {
        throw FormatError(file.name() + ": " + key(h, "rope.dimension_count") + " " +
                          std::to_string(h.n_rot) + " does not fit head_dim " +
                          std::to_string(h.head_dim));
    }
    // Required by the architectures Prism runs; llama.cpp fails without it too.
    h.rms_eps = file.get<float>(key(h, "attention.layer_norm_rms_epsilon"));
    h.rope_freq_base = optional_float(file, key(h, "rope.freq_base"), 10000.0f);

    const gguf::Value* scaling = file.find(key(h, "rope.scaling.type"));
    const std::string scaling_type = scaling ? scaling->as<std::string>() : "none";
    const float factor = optional_float(file, key(h, "rope.scaling.factor"), 0.0f);
    require_finite_non_negative(file, key(h, "rope.scaling.factor"), factor);
    if (scaling_type == "linear" || (scaling == nullptr && factor > 0.0f)) {
        h.rope_freq_scale = factor > 0.0f ? 1.0f / factor : 1.0f;
    } else if (scaling_type != "none") {
        throw FormatError(file.name() + ": rope scaling '" + printable(scaling_type) +
                          "' is not supported yet (supported: none, linear)");
    }

    h.swa_layers.assign(static_cast<std::size_t>(h.n_layer), false);
    if (traits->sliding_window) {
        h.n_swa = optional_count(file, key(h, "attention.sliding_window"), 0);
        if (h.n_swa > 0)
            h.swa_layers =
                sliding_layers(file, key(h, "attention.sliding_window_pattern"), h.n_layer);
        h.rope_freq_base_swa = optional_float(file, key(h, "rope.freq_base_swa"), 10000.0f);
    }
    if (traits->rope_mode == ops::RopeMode::multi)
        h.rope_sections = rope_sections(file, key(h, "rope.dimension_sections"), h.n_rot);
    h.final_logit_softcap = optional_float(file, key(h, "final_logit_softcapping"), 0.0f);
    check_decoder_hparams(file, h);
    return h;
}

}  // namespace prism::models
