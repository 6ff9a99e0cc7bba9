#pragma once

// A prompt with media: the tokenized chat's text, each image laid out by the vision side and
// each sound by the audio side, in the order the parts came, and the embedding rows of the
// media the KV cache does not hold yet, gathered in prompt order on the GPU.

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include "prism/gpu/buffer.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/image.hpp"
#include "prism/media/image_preprocess.hpp"
#include "prism/message_part.hpp"
#include "session/audio_prompt.hpp"
#include "session/chat_tokens.hpp"
#include "session/image_layout.hpp"
#include "session/vision_prompt.hpp"

namespace prism::gpu {
class Context;
}

namespace prism::session {

struct MediaPromptRows {
    PromptRows rows{false};
    std::vector<RowKey> keys;                                        // one per row
    std::map<std::uint64_t, media::PreprocessedImage> preprocessed;  // images new to the session
    std::map<std::uint64_t, std::shared_ptr<const media::Image>> images;  // by hash
    std::map<std::uint64_t, std::shared_ptr<const media::Audio>> sounds;  // by hash
};

// What gathering took: images and sounds encoded now (not those already in the cache).
struct MediaWork {
    std::int64_t images = 0;
    double image_seconds = 0;  // encoding (preprocessing is done by build)
    AudioWork audio;
};

class MediaPrompt {
  public:
    // Either side may be null (an mmproj with one encoder), not both.
    MediaPrompt(gpu::Context& context, std::unique_ptr<VisionPrompt> vision,
                std::unique_ptr<AudioPrompt> audio, bool mrope, std::int64_t n_embd);
    ~MediaPrompt();

    VisionPrompt* vision() const { return vision_.get(); }
    AudioPrompt* audio() const { return audio_.get(); }
    // Rows a decoder's prefill chunk must hold for one non-causal span.
    std::int64_t min_prefill_chunk() const;

    // Lays out a tokenized chat with its media (ChatPiece::media indexes `media`, the image and
    // sound parts of the conversation in order). Throws Error for a kind of part this model
    // has no encoder for.
    MediaPromptRows build(std::span<const ChatPiece> pieces,
                          std::span<const MessagePart* const> media);

    // Encodes the media with rows at or after `from` and copies those rows, in prompt order,
    // into one f32 [n_embd, rows] tensor on the GPU (valid until the next call).
    gpu::Tensor gather(const MediaPromptRows& prompt, std::size_t from, MediaWork& work);

  private:
    gpu::Context& context_;
    std::unique_ptr<VisionPrompt> vision_;
    std::unique_ptr<AudioPrompt> audio_;
    bool mrope_;
    std::int64_t n_embd_;
    gpu::Buffer gathered_;
};

}  // namespace prism::session
