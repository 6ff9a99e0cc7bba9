#pragma once

// A text decoder (LLM) on the GPU: weights uploaded once in their own types, an f16 KV cache,
// batched prefill in chunks and one-token decode. Positions continue across forward() calls,
// so a follow-up prompt only processes its new tokens.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "prism/models/architecture.hpp"

namespace prism::gpu {
class Context;
}
namespace prism::gguf {
class File;
}

namespace prism::models {

struct DecoderOptions {
    // Tokens the KV cache holds; 0 picks min(model's context_length, 4096). More than the
    // model's context_length is an error.
    std::int64_t n_ctx = 0;
    // Most tokens one forward chunk (one command buffer) processes; activations are sized by it.
    std::int64_t prefill_chunk = 256;
    // Called after each weight tensor reaches the device with (bytes uploaded, bytes in all).
    // It may throw to abandon the load: everything uploaded so far is freed.
    std::function<void(std::uint64_t done, std::uint64_t total)> upload_progress;
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
    std::int64_t n_ctx() const;
    std::int64_t n_vocab() const;
    std::int64_t prefill_chunk() const;
    // Tokens already in the KV cache; the next token takes this position.
    std::int64_t n_past() const;
    // Bytes of weights on the device (about the file's tensor data) and of the KV cache.
    std::uint64_t weight_bytes() const;
    std::uint64_t kv_cache_bytes() const;

    // Runs `tokens` at positions n_past() .. n_past() + size - 1 and appends them to the cache.
    // Returns f32 logits: the last token's [n_vocab], or with all_logits every token's,
    // token-major ([n_vocab] per token). Throws Error (and changes nothing) when the tokens do
    // not fit in the context that is left, or when a token id is outside the vocabulary.
    std::vector<float> forward(std::span<const std::int32_t> tokens, bool all_logits = false);

    // Forgets the cache from position n on (n <= n_past()); 0 starts a new sequence.
    void truncate(std::int64_t n);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace prism::models
