#pragma once

// The vision side of a session: the mmproj's encoder, the family's prompt layout, and the
// bookkeeping that lets an image already in the KV cache go unencoded.

#include <cstdint>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/vision_encoder.hpp"
#include "prism/tokenizer.hpp"
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

    // Remembers an image's shape, preprocessing it into `preprocessed` when it is new to the
    // session.
    void add_image(const media::Image& image, std::uint64_t hash,
                   std::map<std::uint64_t, media::PreprocessedImage>& preprocessed);
    // Appends the markers and rows of an image add_image has seen; its embedding rows are
    // keyed by `hash`.
    void append(PromptRows& rows, std::vector<RowKey>& keys, std::uint64_t hash) const;
    // Every row of an image on the GPU, in layout order (tiles, then the global image). `pre`
    // is its preprocessing when add_image just made it; null preprocesses `image` again (an
    // image seen in an earlier turn whose rows have left the cache since).
    std::vector<models::ImageEmbeddings> encode(const media::Image& image,
                                                const media::PreprocessedImage* pre);

  private:
    media::PreprocessedImage preprocess(const media::Image& image) const;
    ImageShape shape_of(const media::PreprocessedImage& pre) const;

    std::unique_ptr<models::VisionEncoder> encoder_;
    const models::ProjectorTraits& traits_;
    ImageLayout layout_;
    bool mrope_;
    std::map<std::uint64_t, ImageShape> shapes_;  // every image seen, by hash
};

}  // namespace prism::session
