#pragma once

// A conversation with a text model: the public entry point for applications. A Session holds
// its share of a Vulkan device context (prism::Device), and owns the tokenizer, the chat template
// and the decoder of one GGUF file, and with SessionOptions::mmproj the vision encoder that turns
// images in messages into decoder rows.
//
// Multi-turn chats keep the KV cache: each generate() tokenizes the whole conversation again
// and only the tokens after the longest common prefix with what the cache already holds are
// processed (Timings::prompt_tokens_reused says how many were not). Image and sound rows take
// part in the comparison by the content hash of the pixels or samples, so an image or a sound
// from an earlier turn stays in the cache and is not encoded again.
//
// Message contents are tokenized without special-token parsing, so a user writing
// "<|im_end|>" gets the text, not the control token; only the template's own markers become
// control tokens.
//
// Methods are for one thread at a time, except cancel(), which any thread may call.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "prism/chat_template.hpp"
#include "prism/device.hpp"
#include "prism/error.hpp"
#include "prism/text/sampler.hpp"
#include "prism/tokenizer.hpp"
#include "prism/value_range.hpp"
#include "prism/video_plan.hpp"

namespace prism::media {
struct Video;
}

namespace prism {

// Thrown by Session::load when its cancel flag was raised; nothing of the load remains.
class LoadCancelled : public Error {
  public:
    LoadCancelled() : Error("model load cancelled") {}
};

// Thrown by generate() and generate_raw() when the prompt does not fit in the context even
// after the earlier turns are left out; the conversation is left as it was.
class PromptTooLong : public Error {
  public:
    PromptTooLong(std::int64_t prompt_tokens, std::int64_t n_ctx);
    std::int64_t prompt_tokens() const noexcept { return prompt_tokens_; }
    std::int64_t n_ctx() const noexcept { return n_ctx_; }

  private:
    std::int64_t prompt_tokens_, n_ctx_;
};

// What SessionOptions and GenerateOptions accept (checked by load() and generate()).
namespace session_limits {
inline constexpr ValueRange n_ctx{0.0, 2147483647.0};
inline constexpr ValueRange prefill_chunk{1.0, 2147483647.0};
inline constexpr ValueRange max_tokens{-1.0};
}  // namespace session_limits

struct SessionOptions {
    // Vulkan device index or part of its name; empty uses PRISM_DEVICE or picks automatically.
    std::string device;
    // Tokens the KV cache holds; 0 picks min(model's context length, 4096). More than the
    // model was trained with is allowed (context_warning() then says that quality may drop).
    std::int64_t n_ctx = 0;
    // Most tokens one prefill step processes (also how often a prefill checks cancel()).
    std::int64_t prefill_chunk = 256;
    // The Khronos validation layer (tests).
    bool validation = false;
    // Device memory the model may use; 0 is the device's largest device-local heap. A model
    // (weights + KV cache) needing more is refused before anything is uploaded.
    std::uint64_t memory_budget_bytes = 0;
    // llama.cpp's mmproj GGUF with the vision encoder, the audio encoder or both for this text
    // model; empty: text only.
    std::filesystem::path mmproj;
    // The device context to load onto (shared with other models on it); null:
    // Device::shared() for `device` and `validation`.
    std::shared_ptr<Device> gpu;
};

// Load progress in [0, 1]: coarse steps for opening and checking the file, then by the bytes
// of weights uploaded.
using LoadProgress = std::function<void(float fraction)>;

// Called with each piece of generated text (complete UTF-8); return false to stop.
using PieceCallback = std::function<bool(std::string_view piece)>;

struct GenerateOptions {
    text::SamplerSettings sampling;
    // Generation stops when the text contains one of these; the stop string and what follows
    // it are neither returned nor passed to on_piece.
    std::vector<std::string> stop;
    // Most tokens to generate: -1 until the model ends its answer or the context is full,
    // 0 none (the prompt is only evaluated), as llama.cpp's -n.
    std::int64_t max_tokens = 512;
    PieceCallback on_piece;
};

enum class StopReason {
    end_of_generation,  // the model produced an end-of-generation token
    stop_string,        // a GenerateOptions::stop string appeared
    max_tokens,
    callback,      // on_piece returned false
    cancelled,     // cancel() was called
    context_full,  // no room left in the KV cache
};

std::string_view stop_reason_name(StopReason reason);

struct Timings {
    std::int64_t prompt_tokens = 0;            // tokens of the whole prompt
    std::int64_t prompt_tokens_reused = 0;     // of which already in the KV cache
    std::int64_t prompt_tokens_evaluated = 0;  // of which processed now
    double prompt_seconds = 0;                 // prefill time
    double prompt_tokens_per_second = 0;       // evaluated / prompt_seconds
    std::int64_t generated_tokens = 0;         // sampled tokens, the end-of-generation one included
    double generation_seconds = 0;             // from the end of prefill to the end
    double generated_tokens_per_second = 0;
    double time_to_first_token = 0;   // seconds from the call to the first sampled token
    double image_encode_seconds = 0;  // preprocessing and encoding the prompt's new images
    std::int64_t images_encoded = 0;  // images encoded now (not those already in the cache)
    // The prompt's new sounds (not those already in the cache): decoding them from their files
    // or bytes (media::Audio::decode_seconds, before the call), their log-mel spectrograms,
    // and the audio encoder with its projector.
    double audio_decode_seconds = 0;
    double audio_mel_seconds = 0;
    double audio_encode_seconds = 0;
    std::int64_t sounds_encoded = 0;
};

struct GenerateResult {
    std::string text;  // what on_piece received, joined
    std::vector<text::TokenId> tokens;
    StopReason stop = StopReason::max_tokens;
    Timings timings;
    // Earlier messages generate() removed from the conversation to make room (see there).
    std::int64_t messages_left_out = 0;
};

class Session {
  public:
    // Opens the GGUF, checks that it is a supported text model that fits in device memory,
    // and uploads it. `cancel` (may be null) is polled between steps and between tensors; when
    // it becomes true the load throws LoadCancelled. Other failures: FormatError (missing or
    // malformed file, unsupported architecture, named), Error (too large: how much is needed
    // and how much the device has), GpuError.
    static Session load(const std::filesystem::path& path, const SessionOptions& options = {},
                        const LoadProgress& progress = {},
                        const std::atomic<bool>* cancel = nullptr);

    Session(Session&&) noexcept;
    Session& operator=(Session&&) noexcept;
    ~Session();

    // The conversation. generate() appends the assistant's reply itself.
    void add_message(ChatRole role, std::string content);
    // A message of ordered text, image, sound and video parts (each part exactly one of them).
    // Images and videos need a vision encoder: without one this throws
    // Error("this model has no vision encoder; load an mmproj"); sounds an audio encoder
    // (Error("this model has no audio encoder; load an mmproj with one")), and a sound too
    // short for one audio row, or not at 16 kHz, is refused naming it. A sound longer than
    // 30 s is encoded in 30-s windows whose rows follow each other. A video part is replaced by
    // the parts plan_video() gives for it: its timestamps as text and its pictures, and for a
    // model that hears each picture followed by the video's sound up to the next picture.
    void add_message(ChatRole role, std::vector<MessagePart> parts);
    void add_user(std::vector<MessagePart> parts) { add_message(ChatRole::user, std::move(parts)); }
    void add_system(std::string content) { add_message(ChatRole::system, std::move(content)); }
    void add_user(std::string content) { add_message(ChatRole::user, std::move(content)); }
    void add_assistant(std::string content) {
        add_message(ChatRole::assistant, std::move(content));
    }
    std::span<const ChatMessage> messages() const;
    // Which of a video's pictures, at what size, a message part of it would show this model
    // within `token_budget` prompt tokens (0: half the context), with what each costs under the
    // model's own image rule: pictures are scaled down first (to 224 pixels on the longer
    // side at least), then fewer of them are kept, spread over the video. Encodes nothing.
    // Throws Error without a vision encoder, or when not even one picture fits the budget.
    VideoPlan plan_video(const media::Video& video, std::int64_t token_budget = 0) const;
    // Takes back the last message (one that was refused, for instance); none: no-op.
    void remove_last_message();
    // Forgets the conversation (the KV cache stays until a new prompt differs from it).
    void clear_messages();

    // Renders the conversation with the chat template plus the assistant's turn header and
    // generates the reply, which is appended to the conversation (also when stopped early).
    //
    // A conversation that leaves too little room for the answer (a quarter of the context, or
    // max_tokens when that is less) loses its oldest turns first: whole exchanges after the
    // system messages, until the room is there or only the last exchange is left. They are
    // removed from the conversation and counted in messages_left_out. A last message that
    // does not fit even so throws PromptTooLong and changes nothing. Also throws Error for an
    // empty conversation, an empty last message or options outside their limits.
    GenerateResult generate(const GenerateOptions& options);

    // Plain completion of `text` (base models; no template, BOS as the vocabulary wants it).
    // The conversation is not touched; the KV cache is reused as for generate().
    GenerateResult generate_raw(std::string_view text, const GenerateOptions& options);

    // Stops the generation in progress after the current token (or prefill chunk). Any thread.
    void cancel();

    // Empties the KV cache and the conversation.
    void reset();

    const text::Tokenizer& tokenizer() const;
    const ChatTemplate& chat_template() const;
    // Whether the file carries tokenizer.chat_template (otherwise chat_template() is a guess
    // and its warning() says so).
    bool has_chat_template() const;
    std::string_view architecture() const;
    // Whether the mmproj has a vision encoder, so that messages may hold images and videos.
    bool has_vision() const;
    // Whether the mmproj has an audio encoder, so that messages may hold sounds (and videos
    // bring their sound).
    bool has_audio() const;
    std::string_view device_name() const;
    // The device context the model lives on, to load other models beside it.
    const std::shared_ptr<Device>& device() const;
    std::int64_t n_ctx() const;
    // The context length the model was trained with (its GGUF's context_length).
    std::int64_t trained_context() const;
    // Non-empty when n_ctx() exceeds trained_context(): the sentence to show the user.
    const std::string& context_warning() const;
    // Tokens in the KV cache now.
    std::int64_t n_cached() const;
    double load_seconds() const;
    std::uint64_t weight_bytes() const;
    std::uint64_t kv_cache_bytes() const;
    // Device memory handed out now on this session's device: its buffers (weights, KV cache,
    // activations) and those of any other model sharing the device.
    std::uint64_t device_memory_in_use() const;

    struct Impl;

  private:
    explicit Session(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace prism
