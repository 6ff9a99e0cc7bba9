#include "models/whisper_hparams.hpp"

#include <cmath>
#include <string>

#include "models/hparams_check.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/printable.hpp"

namespace prism::models {
namespace {

// Positions and vocabularies far beyond any Whisper (large-v3: 1500, 448, 51866).
constexpr std::int64_t kMaxCount = 1 << 20;

std::int64_t count(const gguf::File& file, const std::string& key) {
    const auto v = file.get_integer<std::int64_t>(key);
    if (v < 1 || v > kMaxCount) fail_key(file, key, std::to_string(v), "must be from 1 to 2^20");
    return v;
}

std::vector<std::int32_t> token_list(const gguf::File& file, const std::string& key,
                                     std::int64_t n_vocab) {
    std::vector<std::int32_t> ids;
    if (!file.contains(key)) return ids;
    ids = file.get_array<std::int32_t>(key);
    for (const std::int32_t id : ids) {
        if (id < 0 || id >= n_vocab) {
            fail_key(file, key, std::to_string(id), "holds a token id outside the vocabulary");
        }
    }
    return ids;
}

}  // namespace

bool is_whisper_model(const gguf::File& file) {
    const auto arch = file.get_optional<std::string>("general.architecture");
    return arch && *arch == "whisper";
}

WhisperHParams read_whisper_hparams(const gguf::File& file) {
    if (!is_whisper_model(file)) {
        const auto arch = file.get_optional<std::string>("general.architecture");
        throw FormatError(file.name() + ": not a Whisper speech model (general.architecture is " +
                          (arch ? "'" + printable(*arch) + "'" : std::string("missing")) + ")");
    }
    WhisperHParams h;
    h.n_state = count(file, "whisper.embedding_length");
    h.n_ff = count(file, "whisper.feed_forward_length");
    h.n_head = count(file, "whisper.attention.head_count");
    h.n_enc_head = count(file, "whisper.encoder.attention.head_count");
    h.n_enc_layer = count(file, "whisper.encoder.block_count");
    h.n_dec_layer = count(file, "whisper.decoder.block_count");
    h.n_audio_ctx = count(file, "whisper.encoder.context_length");
    h.n_text_ctx = count(file, "whisper.decoder.context_length");
    h.n_mel = count(file, "whisper.audio.num_mel_bins");
    if (h.n_mel > 256)
        fail_key(file, "whisper.audio.num_mel_bins", std::to_string(h.n_mel),
                 "must be at most 256");
    require_divides(file, "whisper.attention.head_count", h.n_head, "embedding_length", h.n_state);
    require_divides(file, "whisper.encoder.attention.head_count", h.n_enc_head, "embedding_length",
                    h.n_state);
    h.head_dim = h.n_state / h.n_head;
    if (h.head_dim % 8 != 0 || h.head_dim > 256 || h.n_state / h.n_enc_head != h.head_dim) {
        fail_key(file, "whisper.attention.head_count", std::to_string(h.n_head),
                 "gives heads of " + std::to_string(h.head_dim) +
                     " values; Whisper's are a multiple of 8 up to 256, equal in both stacks");
    }
    if (h.n_audio_ctx * 2 > 3000) {
        fail_key(file, "whisper.encoder.context_length", std::to_string(h.n_audio_ctx),
                 "is longer than 30 s of audio (1500 positions)");
    }
    const auto eps = file.get_or<float>("whisper.attention.layer_norm_epsilon", 1e-5f);
    if (!std::isfinite(eps) || eps <= 0) {
        fail_key(file, "whisper.attention.layer_norm_epsilon", std::to_string(eps),
                 "must be finite and > 0");
    }
    h.eps = eps;
    const gguf::TensorInfo& embd = file.tensor("dec.token_embd.weight");
    h.n_vocab = static_cast<std::int64_t>(embd.ne[1]);
    if (h.n_vocab < 1 || h.n_vocab > kMaxCount) {
        throw FormatError(file.name() + ": tensor 'dec.token_embd.weight' has " +
                          std::to_string(h.n_vocab) + " rows, not a vocabulary");
    }
    h.suppress_tokens = token_list(file, "whisper.suppress_tokens", h.n_vocab);
    h.suppress_tokens_begin = token_list(file, "whisper.suppress_tokens_begin", h.n_vocab);
    h.lang_ids = token_list(file, "whisper.lang_ids", h.n_vocab);
    return h;
}

}  // namespace prism::models
