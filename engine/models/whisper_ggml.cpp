// Reading whisper.cpp's Whisper container. Nothing read from the file is trusted: every count
// and length is bounded before anything is reserved, every read is checked against the bytes
// that remain, and each tensor must be one of Whisper's, once.

#include "models/whisper_ggml.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "gguf/assembler.hpp"
#include "models/whisper_ggml_vocab.hpp"
#include "prism/error.hpp"
#include "prism/printable.hpp"

static_assert(std::endian::native == std::endian::little,
              "the ggml reader loads little-endian values with memcpy");

namespace prism::models {
namespace {

constexpr std::uint32_t kGgmlMagic = 0x67676d6c;  // "ggml" as a little-endian int32
constexpr std::string_view kSileroType = "silero-16k";
constexpr std::int32_t kMaxNameBytes = 256;
constexpr std::int32_t kMaxTokenBytes = 1024;
// Far beyond any Whisper (large: 32 layers, 1280 wide, 20 heads, 128 mels).
constexpr std::int32_t kMaxLayers = 256;
constexpr std::int32_t kMaxWidth = 16384;
constexpr std::int32_t kMaxHeads = 1024;

class Cursor {
  public:
    Cursor(std::span<const std::byte> bytes, const std::string& name)
        : bytes_(bytes), name_(name) {}

    [[noreturn]] void fail(const std::string& problem) const {
        throw FormatError(name_ + ": " + problem);
    }
    std::uint64_t offset() const { return offset_; }
    std::uint64_t remaining() const { return bytes_.size() - offset_; }

    std::span<const std::byte> take(std::uint64_t n, std::string_view what) {
        if (n > remaining()) {
            fail("truncated: " + std::string(what) + " needs " + std::to_string(n) +
                 " bytes at offset " + std::to_string(offset_) + ", the file has " +
                 std::to_string(remaining()) + " left");
        }
        const auto out =
            bytes_.subspan(static_cast<std::size_t>(offset_), static_cast<std::size_t>(n));
        offset_ += n;
        return out;
    }
    std::int32_t i32(std::string_view what) {
        std::int32_t v = 0;
        std::memcpy(&v, take(4, what).data(), 4);
        return v;
    }
    // An int32 that must lie in [lo, hi].
    std::int32_t bounded(std::string_view what, std::int32_t lo, std::int32_t hi) {
        const std::int32_t v = i32(what);
        if (v < lo || v > hi) {
            fail(std::string(what) + " is " + std::to_string(v) + ", not from " +
                 std::to_string(lo) + " to " + std::to_string(hi));
        }
        return v;
    }

  private:
    std::span<const std::byte> bytes_;
    const std::string& name_;
    std::uint64_t offset_ = 0;
};

struct GgmlHParams {
    std::int32_t n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer;
    std::int32_t n_text_ctx, n_text_state, n_text_head, n_text_layer, n_mels, ftype;
};

void read_magic(Cursor& c) {
    const auto head = c.take(4, "the magic");
    std::uint32_t magic = 0;
    std::memcpy(&magic, head.data(), 4);
    if (std::memcmp(head.data(), "GGUF", 4) == 0)
        c.fail("a GGUF file, not whisper.cpp's ggml format");
    if (magic != kGgmlMagic) {
        c.fail("not a Whisper model: neither GGUF nor whisper.cpp's ggml (magic '" +
               printable({reinterpret_cast<const char*>(head.data()), 4}) + "')");
    }
}

GgmlHParams read_hparams(Cursor& c) {
    GgmlHParams h{};
    // whisper.cpp's Silero VAD files share the magic; their next field is the length of the
    // model type "silero-16k".
    if (c.remaining() >= 4 + kSileroType.size()) {
        Cursor probe = c;
        if (probe.i32("") == static_cast<std::int32_t>(kSileroType.size()) &&
            std::memcmp(probe.take(kSileroType.size(), "").data(), kSileroType.data(),
                        kSileroType.size()) == 0) {
            c.fail(
                "a Silero VAD model (whisper.cpp's ggml-silero-*.bin), not a Whisper speech "
                "model");
        }
    }
    h.n_vocab = c.i32("n_vocab");
    if (h.n_vocab < kWhisperVocabEnglish || h.n_vocab > kWhisperVocabLargeV3) {
        c.fail("n_vocab is " + std::to_string(h.n_vocab) + ": not a Whisper vocabulary (" +
               std::to_string(kWhisperVocabEnglish) + " English-only, 51865 multilingual, " +
               std::to_string(kWhisperVocabLargeV3) + " large-v3)");
    }
    h.n_audio_ctx = c.bounded("n_audio_ctx", 1, 1500);
    h.n_audio_state = c.bounded("n_audio_state", 1, kMaxWidth);
    h.n_audio_head = c.bounded("n_audio_head", 1, kMaxHeads);
    h.n_audio_layer = c.bounded("n_audio_layer", 1, kMaxLayers);
    h.n_text_ctx = c.bounded("n_text_ctx", 1, 1 << 16);
    h.n_text_state = c.bounded("n_text_state", 1, kMaxWidth);
    h.n_text_head = c.bounded("n_text_head", 1, kMaxHeads);
    h.n_text_layer = c.bounded("n_text_layer", 1, kMaxLayers);
    h.n_mels = c.bounded("n_mels", 1, 256);
    h.ftype = c.i32("ftype");
    if (h.n_text_state != h.n_audio_state) {
        c.fail("n_text_state " + std::to_string(h.n_text_state) + " differs from n_audio_state " +
               std::to_string(h.n_audio_state) + " (every Whisper has one width)");
    }
    return h;
}

void skip_mel_filters(Cursor& c) {
    const std::int32_t n_mel = c.bounded("the mel filters' n_mel", 0, 256);
    const std::int32_t n_fft = c.bounded("the mel filters' n_fft", 0, 1 << 16);
    // Prism computes the filters itself (media/mel_filters.cpp), the same Slaney bank.
    c.take(static_cast<std::uint64_t>(n_mel) * static_cast<std::uint64_t>(n_fft) * 4,
           "the mel filters");
}

std::vector<std::string> read_regular_tokens(Cursor& c, std::int32_t n_vocab) {
    const std::int32_t regular = whisper_regular_tokens(n_vocab);
    const std::int32_t count = c.i32("the vocabulary's size");
    if (count < 0 || count > n_vocab) {
        c.fail("the vocabulary has " + std::to_string(count) + " tokens; a Whisper with n_vocab " +
               std::to_string(n_vocab) + " has " + std::to_string(regular) +
               " before its special ones");
    }
    std::vector<std::string> tokens;
    tokens.reserve(static_cast<std::size_t>(regular));
    for (std::int32_t i = 0; i < count; ++i) {
        const std::int32_t length = c.i32("a token's length");
        if (length < 0 || length > kMaxTokenBytes) {
            c.fail("token " + std::to_string(i) + " has length " + std::to_string(length) +
                   " (at most " + std::to_string(kMaxTokenBytes) + ")");
        }
        const auto bytes = c.take(static_cast<std::uint64_t>(length), "a token");
        // Tokens from <|endoftext|> on, where a converter wrote them, are Whisper's specials,
        // which take their fixed texts.
        if (i < regular)
            tokens.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    // A short vocabulary is padded as whisper.cpp pads it; such tokens never come out of a
    // real model.
    for (auto i = static_cast<std::int32_t>(tokens.size()); i < regular; ++i)
        tokens.push_back("[_extra_token_" + std::to_string(i) + "]");
    return tokens;
}

// whisper.cpp's tensor names (PyTorch's) and the Whisper GGUF's.
struct NameRule {
    std::string_view ggml, gguf;
};

constexpr std::array<NameRule, 11> kTopNames = {{
    {"encoder.conv1.weight", "a.conv1d.1.weight"},
    {"encoder.conv1.bias", "a.conv1d.1.bias"},
    {"encoder.conv2.weight", "a.conv1d.2.weight"},
    {"encoder.conv2.bias", "a.conv1d.2.bias"},
    {"encoder.positional_embedding", "a.position_embd.weight"},
    {"encoder.ln_post.weight", "a.post_ln.weight"},
    {"encoder.ln_post.bias", "a.post_ln.bias"},
    {"decoder.token_embedding.weight", "dec.token_embd.weight"},
    {"decoder.positional_embedding", "dec.position_embd.weight"},
    {"decoder.ln.weight", "dec.post_ln.weight"},
    {"decoder.ln.bias", "dec.post_ln.bias"},
}};

// A block's tensors without ".weight" / ".bias"; the encoder's norms are named as llama.cpp's
// mmproj names them.
constexpr std::array<NameRule, 8> kEncoderBlock = {{
    {"attn_ln", "ln1"},
    {"attn.query", "attn_q"},
    {"attn.key", "attn_k"},
    {"attn.value", "attn_v"},
    {"attn.out", "attn_out"},
    {"mlp_ln", "ln2"},
    {"mlp.0", "ffn_up"},
    {"mlp.2", "ffn_down"},
}};

constexpr std::array<NameRule, 13> kDecoderBlock = {{
    {"attn_ln", "attn_ln"},
    {"attn.query", "attn_q"},
    {"attn.key", "attn_k"},
    {"attn.value", "attn_v"},
    {"attn.out", "attn_out"},
    {"cross_attn_ln", "cross_ln"},
    {"cross_attn.query", "cross_q"},
    {"cross_attn.key", "cross_k"},
    {"cross_attn.value", "cross_v"},
    {"cross_attn.out", "cross_out"},
    {"mlp_ln", "ffn_ln"},
    {"mlp.0", "ffn_up"},
    {"mlp.2", "ffn_down"},
}};

std::optional<std::string> block_name(std::string_view name, std::string_view side,
                                      std::string_view prefix, std::int32_t n_layer,
                                      std::span<const NameRule> rules) {
    const std::string head = std::string(side) + ".blocks.";
    if (name.substr(0, head.size()) != head) return std::nullopt;
    name.remove_prefix(head.size());
    const auto dot = name.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 3) return std::nullopt;
    std::int32_t layer = 0;
    for (const char ch : name.substr(0, dot)) {
        if (ch < '0' || ch > '9') return std::nullopt;
        layer = layer * 10 + (ch - '0');
    }
    if (layer >= n_layer) return std::nullopt;
    name.remove_prefix(dot + 1);
    for (const std::string_view suffix : {std::string_view(".weight"), std::string_view(".bias")}) {
        if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
            continue;
        const std::string_view part = name.substr(0, name.size() - suffix.size());
        for (const auto& r : rules) {
            if (r.ggml == part) {
                return std::string(prefix) + std::to_string(layer) + "." + std::string(r.gguf) +
                       std::string(suffix);
            }
        }
    }
    return std::nullopt;
}

std::optional<std::string> gguf_name(std::string_view name, const GgmlHParams& h) {
    for (const auto& r : kTopNames) {
        if (name == r.ggml) return std::string(r.gguf);
    }
    if (auto n = block_name(name, "encoder", "a.blk.", h.n_audio_layer, kEncoderBlock)) return n;
    return block_name(name, "decoder", "dec.blk.", h.n_text_layer, kDecoderBlock);
}

std::vector<gguf::ForeignTensor> read_tensors(Cursor& c, const GgmlHParams& h, std::int64_t& n_ff) {
    std::vector<gguf::ForeignTensor> tensors;
    std::unordered_set<std::string> seen;
    while (c.remaining() > 0) {
        gguf::ForeignTensor t;
        const std::int32_t n_dims = c.i32("a tensor's dimension count");
        if (n_dims < 1 || n_dims > 4) {
            c.fail("a tensor at offset " + std::to_string(c.offset() - 4) + " has " +
                   std::to_string(n_dims) + " dimensions (1 to 4)");
        }
        const std::int32_t name_length = c.i32("a tensor's name length");
        if (name_length < 1 || name_length > kMaxNameBytes) {
            c.fail("a tensor at offset " + std::to_string(c.offset() - 8) + " has a name of " +
                   std::to_string(name_length) + " bytes (1 to " + std::to_string(kMaxNameBytes) +
                   ")");
        }
        const std::int32_t type_id = c.i32("a tensor's type");
        t.n_dims = static_cast<std::uint32_t>(n_dims);
        for (std::int32_t d = 0; d < n_dims; ++d) {
            const std::int32_t n = c.i32("a tensor's dimension");
            if (n < 1)
                c.fail("a tensor has dimension " + std::to_string(n) + " (must be positive)");
            t.ne[static_cast<std::size_t>(d)] = static_cast<std::uint64_t>(n);
        }
        const auto name_bytes = c.take(static_cast<std::uint64_t>(name_length), "a tensor's name");
        const std::string_view name(reinterpret_cast<const char*>(name_bytes.data()),
                                    name_bytes.size());
        const std::string label = "tensor '" + printable(name) + "'";
        const auto type =
            type_id < 0 ? std::nullopt : find_tensor_type(static_cast<std::uint32_t>(type_id));
        if (!type || !type->computable) {
            c.fail(label + " has type " +
                   (type ? std::string(type->name) : std::to_string(type_id)) +
                   ", which Prism cannot compute with");
        }
        t.type = type->type;
        if (t.ne[0] % type->block_elements != 0) {
            c.fail(label + " row length " + std::to_string(t.ne[0]) + " is not a multiple of the " +
                   std::string(type->name) + " block size");
        }
        // Dimensions below 2^31 each: the product is bounded before it can wrap.
        std::uint64_t elements = 1;
        for (const std::uint64_t n : t.ne) {
            if (elements > std::numeric_limits<std::uint64_t>::max() / 64 / n)
                c.fail(label + " has more elements than any file holds");
            elements *= n;
        }
        const std::uint64_t bytes = elements / type->block_elements * type->block_bytes;
        auto mapped = gguf_name(name, h);
        if (!mapped) c.fail(label + " is not one of Whisper's tensors");
        if (!seen.insert(*mapped).second) c.fail("duplicate " + label);
        if (bytes > c.remaining()) {
            c.fail(label + " needs " + std::to_string(bytes) + " bytes of data at offset " +
                   std::to_string(c.offset()) + ", the file has " + std::to_string(c.remaining()) +
                   " left");
        }
        t.file_offset = c.offset();
        c.take(bytes, "tensor data");
        // whisper.cpp stores the conv biases as [1, n_state] for broadcasting; Prism's are
        // vectors.
        if (mapped->starts_with("a.conv1d.") && mapped->ends_with(".bias")) {
            t.ne = {elements, 1, 1, 1};
            t.n_dims = 1;
        }
        if (*mapped == "a.blk.0.ffn_up.weight") n_ff = static_cast<std::int64_t>(t.ne[1]);
        t.name = std::move(*mapped);
        tensors.push_back(std::move(t));
    }
    return tensors;
}

gguf::File read(gguf::Assembler source) {
    Cursor c(source.bytes(), source.name());
    read_magic(c);
    const GgmlHParams h = read_hparams(c);
    skip_mel_filters(c);
    const std::vector<std::string> regular = read_regular_tokens(c, h.n_vocab);
    std::int64_t n_ff = 0;
    std::vector<gguf::ForeignTensor> tensors = read_tensors(c, h, n_ff);
    if (n_ff == 0) c.fail("tensor 'encoder.blocks.0.mlp.0.weight' is missing");

    const WhisperGgmlVocab vocab = whisper_ggml_vocab(regular, h.n_vocab);
    gguf::MetadataWriter m;
    m.string("general.architecture", "whisper");
    const auto u32 = [](std::int64_t v) { return static_cast<std::uint32_t>(v); };
    m.u32("whisper.embedding_length", u32(h.n_audio_state));
    m.u32("whisper.feed_forward_length", u32(n_ff));
    m.u32("whisper.attention.head_count", u32(h.n_text_head));
    m.u32("whisper.encoder.attention.head_count", u32(h.n_audio_head));
    m.u32("whisper.encoder.block_count", u32(h.n_audio_layer));
    m.u32("whisper.decoder.block_count", u32(h.n_text_layer));
    m.u32("whisper.encoder.context_length", u32(h.n_audio_ctx));
    m.u32("whisper.decoder.context_length", u32(h.n_text_ctx));
    m.u32("whisper.audio.num_mel_bins", u32(h.n_mels));
    m.f32("whisper.attention.layer_norm_epsilon", 1e-5f);
    // No whisper.suppress_tokens: the file has no list, and the transcriber derives Whisper's
    // (session/whisper_suppress.hpp).
    std::vector<std::int32_t> begin;
    if (vocab.space) begin.push_back(*vocab.space);
    begin.push_back(vocab.eot);
    m.i32_array("whisper.suppress_tokens_begin", begin);
    m.i32_array("whisper.lang_ids", vocab.languages);
    m.string("tokenizer.ggml.model", "gpt2");
    m.string("tokenizer.ggml.pre", "gpt-2");
    m.string_array("tokenizer.ggml.tokens", vocab.texts);
    m.i32_array("tokenizer.ggml.token_type", vocab.types);
    m.string_array("tokenizer.ggml.merges", vocab.merges);
    m.u32("tokenizer.ggml.eos_token_id", u32(vocab.eot));
    m.u32("tokenizer.ggml.bos_token_id", u32(vocab.sot));
    return std::move(source).finish(m, std::move(tensors));
}

}  // namespace

bool has_ggml_magic(std::span<const std::byte> head) {
    std::uint32_t magic = 0;
    if (head.size() < 4) return false;
    std::memcpy(&magic, head.data(), 4);
    return magic == kGgmlMagic;
}

gguf::File open_whisper_ggml(const std::filesystem::path& path) {
    return read(gguf::Assembler(path));
}

gguf::File whisper_ggml_from_bytes(std::span<const std::byte> bytes, std::string name) {
    return read(gguf::Assembler(bytes, std::move(name)));
}

gguf::File open_whisper_model(const std::filesystem::path& path) {
    gguf::Assembler source(path);
    if (has_ggml_magic(source.bytes())) return read(std::move(source));
    return gguf::File::open(path);
}

}  // namespace prism::models
