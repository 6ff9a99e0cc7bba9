#pragma once

// The vision side of a session: the mmproj's encoder, the family's prompt layout, and the
// bookkeeping that lets an image already in the KV cache go unencoded.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "prism/gpu/buffer.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/vision_encoder.hpp"
#include "prism/tokenizer.hpp"
#include "session/chat_tokens.hpp"
#include "session/image_layout.hpp"

namespace prism::gguf {
class File;
}
namespace prism::gpu {
class Context;
}

namespace prism::session {

// 64-bit FNV-1a over the size and the RGB bytes: equal images share their cached rows.
std::uint64_t image_hash(const media::Image& image);

struct VisionPromptRows {
    PromptRows rows{false};
    std::vector<RowKey> keys;  // one per row
    // Per image of the conversation: its hash and shape.
    std::vector<std::uint64_t> hashes;
    std::map<std::uint64_t, media::PreprocessedImage> preprocessed;  // images new to the session
    std::map<std::uint64_t, std::shared_ptr<const media::Image>> images;
};

class VisionPrompt {
  public:
    // Loads the encoder after checking the pair (Error naming both files and the mismatch).
    VisionPrompt(gpu::Context& context, const gguf::File& mmproj, const text::Tokenizer& tokenizer,
                 const models::DecoderHParams& text, bool mrope, std::string_view text_name);
    ~VisionPrompt();

    const models::VisionHParams& hparams() const;
    // Rows a decoder's prefill chunk must hold for one non-causal span (Gemma 3's image).
    std::int64_t min_prefill_chunk() const;

    // Prompt rows (embedding rows and the layout's markers) an image of width x height takes,
    // without preprocessing it.
    std::int64_t image_rows(std::int32_t width, std::int32_t height) const;

    // Lays out a tokenized chat with its images (preprocessing images it has not seen).
    VisionPromptRows build(std::span<const ChatPiece> pieces,
                           std::span<const std::shared_ptr<const media::Image>> images);

    // Encodes the images with rows at or after `from` and copies those rows, in prompt order,
    // into one f32 [n_embd, rows] tensor on the GPU (valid until the next call). `encoded`
    // counts the images encoded.
    gpu::Tensor gather(const VisionPromptRows& prompt, std::size_t from, std::int64_t& encoded);

  private:
    media::PreprocessedImage preprocess(const media::Image& image) const;
    ImageShape shape_of(const media::PreprocessedImage& pre) const;

    gpu::Context& context_;
    std::unique_ptr<models::VisionEncoder> encoder_;
    const models::ProjectorTraits& traits_;
    ImageLayout layout_;
    bool mrope_;
    std::int64_t n_embd_;
    std::map<std::uint64_t, ImageShape> shapes_;  // every image seen, by hash
    gpu::Buffer gathered_;
};

}  // namespace prism::session
