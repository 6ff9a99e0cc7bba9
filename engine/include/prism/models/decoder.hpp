#pragma once

// A text decoder (LLM) on the GPU: weights uploaded once in their own types, an f16 KV cache,
// batched prefill in chunks and one-token decode. Positions continue across forward() calls,
// so a follow-up prompt only processes its new tokens.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <utility>
#include <vector>

#include "prism/models/architecture.hpp"

namespace prism::gpu {
class Context;
struct Tensor;
}  // namespace prism::gpu
namespace prism::gguf {
class File;
}

namespace prism::models {

// How chunks of up to ops::decode_max_columns() tokens (decode steps) are recorded. `fused`: six
// dispatches a layer, every norm, bias, residual add and activation riding on a matrix-vector
// product; `split`: the prefill path's separate norm, product, add and activation dispatches.
// `automatic` reads PRISM_DECODE (fused|split), else takes fused on every device; split stays
// for comparison (prism-bench) and as the reference the fused path is tested against.
enum class DecodePath { automatic, fused, split };

struct DecoderOptions {
    // Tokens the KV cache holds; 0 picks min(model's context_length, 4096). More than the
    // model's context_length is an error.
    std::int64_t n_ctx = 0;
    // Most tokens one forward chunk (one command buffer) processes; activations are sized by it.
    std::int64_t prefill_chunk = 256;
    // Called after each weight tensor reaches the device with (bytes uploaded, bytes in all).
    // It may throw to abandon the load: everything uploaded so far is freed.
    std::function<void(std::uint64_t done, std::uint64_t total)> upload_progress;
    DecodePath decode_path = DecodePath::automatic;
    // Sliding-window layers (Gemma 3) keep only their window plus one chunk of rows, in a ring.
    // true keeps every row there too: more memory, but the cache can then be cut back
    // (truncate()) to any row, as far back as wanted.
    bool full_sliding_cache = false;
};

// Rows of `layer`'s KV cache for these options: the context, or on a sliding-window layer its
// window plus one prefill chunk when that is fewer (M-RoPE models keep every row).
std::int64_t kv_cache_rows(const DecoderHParams& h, std::size_t layer,
                           const DecoderOptions& options);

// One multimodal prompt: each row is a token id or, where the token is negative, the next row
// of `embeddings` (an image's projector output, copied on the GPU into the decoder's input
// without a round trip through the host).
struct DecoderInput {
    std::span<const std::int32_t> tokens;     // < 0 (mtmd and the fixtures write -1): next row
    const gpu::Tensor* embeddings = nullptr;  // f32 [n_embd, rows] on this decoder's context;
                                              // exactly one column per negative token
    // Empty: consecutive positions from next_position(). Otherwise one per row, or for M-RoPE
    // (qwen2vl) four planes t, h, w, e of tokens.size() each (plane-major, as ggml's rope_multi).
    std::span<const std::int32_t> positions;
    // Rows [begin, end) that attend to each other bidirectionally (Gemma 3's image rows);
    // sorted, disjoint, each no longer than prefill_chunk(). A span is never split between
    // chunks, so the chunking moves its boundary in front of a span that would not fit.
    std::vector<std::pair<std::int64_t, std::int64_t>> non_causal_spans;
};

class Decoder {
  public:
    // Reads hyperparameters and uploads every weight; the file may be closed afterwards, the
    // context must outlive the decoder.
    // Throws FormatError for a missing tensor, a wrong shape or an unsupported architecture
    // (each named), Error for bad options, GpuError when the device lacks memory.
    Decoder(gpu::Context& context, const gguf::File& file, const DecoderOptions& options = {});
    ~Decoder();
    Decoder(const Decoder&) = delete;
    Decoder& operator=(const Decoder&) = delete;

    const DecoderHParams& hparams() const;
    const ArchitectureTraits& traits() const;
    // The path decode steps take: fused or split, never automatic.
    DecodePath decode_path() const;
    std::int64_t n_ctx() const;
    std::int64_t n_vocab() const;
    std::int64_t prefill_chunk() const;
    // Rows already in the KV cache.
    std::int64_t n_past() const;
    // The position the next row takes when forward() is not given positions: one more than the
    // largest position of any cached row (all planes). Equals n_past() for text; after a Qwen
    // image of merged grid nx x ny at position p it is p + max(nx, ny), as in llama.cpp's mtmd.
    std::int64_t next_position() const;
    // Bytes of weights on the device (about the file's tensor data) and of the KV cache.
    std::uint64_t weight_bytes() const;
    std::uint64_t kv_cache_bytes() const;

    // Runs `tokens` at positions n_past() .. n_past() + size - 1 and appends them to the cache.
    // Returns f32 logits: the last token's [n_vocab], or with all_logits every token's,
    // token-major ([n_vocab] per token). Throws Error (and changes nothing) when the tokens do
    // not fit in the context that is left, or when a token id is outside the vocabulary.
    std::vector<float> forward(std::span<const std::int32_t> tokens, bool all_logits = false);
    // The same for rows that may be embeddings, with explicit positions and non-causal spans.
    // Throws Error (and changes nothing) for a malformed input: embeddings missing, of the wrong
    // width or row count, positions of the wrong size or negative, bad spans.
    std::vector<float> forward(const DecoderInput& input, bool all_logits = false);

    // Forgets the cache from row n on (n <= n_past()); 0 starts a new sequence.
    // next_position() becomes what it was when the cache held n rows. Returns the rows kept:
    // n, or 0 when a sliding-window layer's ring no longer holds the window before row n (the
    // rows after it overwrote those), so that the caller evaluates everything again.
    std::int64_t truncate(std::int64_t n);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace prism::models
