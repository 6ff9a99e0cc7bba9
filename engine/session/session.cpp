#include "prism/session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <utility>

#include "models/prefill_chunks.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/audio_encoder.hpp"
#include "prism/models/decoder.hpp"
#include "session/chat_tokens.hpp"
#include "session/image_layout.hpp"
#include "session/media_prompt.hpp"
#include "session/memory_check.hpp"
#include "session/stop_strings.hpp"
#include "session/video_expansion.hpp"

namespace prism {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double per_second(std::int64_t count, double seconds) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

constexpr std::string_view kNoVision = "this model has no vision encoder; load an mmproj";
constexpr std::string_view kNoAudio = "this model has no audio encoder; load an mmproj with one";

bool has_media(std::span<const ChatMessage> messages) {
    for (const auto& m : messages)
        for (const auto& part : m.parts)
            if (part.is_media()) return true;
    return false;
}

// A prompt ready for the decoder: its rows as the cache remembers them, and what to feed.
struct PreparedPrompt {
    std::vector<session::RowKey> keys;
    std::vector<text::TokenId> tokens;  // -1: an image or sound row
    // Empty: consecutive positions. Otherwise per row, or four M-RoPE planes of keys.size().
    std::vector<std::int32_t> positions;
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    std::optional<session::MediaPromptRows> media;
};

PreparedPrompt text_prompt(std::vector<text::TokenId> tokens) {
    PreparedPrompt p;
    for (const auto id : tokens) p.keys.push_back({id, 0, 0});
    p.tokens = std::move(tokens);
    return p;
}

std::int64_t rows(const PreparedPrompt& p) {
    return static_cast<std::int64_t>(p.keys.size());
}

// The room a prompt must leave for the answer before old turns are left out: a quarter of the
// context, or max_tokens when that is less; at least one token.
std::int64_t answer_room(std::int64_t max_tokens, std::int64_t n_ctx) {
    const std::int64_t quarter = n_ctx / 4;
    return std::max<std::int64_t>(1, max_tokens < 0 ? quarter : std::min(max_tokens, quarter));
}

// Removes the oldest exchange after the system messages: a turn and what follows it up to the
// next user message. The last exchange is never removed. Returns the messages removed.
std::int64_t remove_oldest_exchange(std::vector<ChatMessage>& messages) {
    std::size_t first = 0;
    while (first < messages.size() && messages[first].role == ChatRole::system) ++first;
    std::size_t end = first + 1;
    while (end < messages.size() && messages[end].role != ChatRole::user) ++end;
    if (end >= messages.size()) return 0;
    messages.erase(messages.begin() + static_cast<std::ptrdiff_t>(first),
                   messages.begin() + static_cast<std::ptrdiff_t>(end));
    return static_cast<std::int64_t>(end - first);
}

void check_options(const GenerateOptions& options) {
    text::validate(options.sampling);
    check_value("generate: max_tokens", static_cast<double>(options.max_tokens),
                session_limits::max_tokens);
}

}  // namespace

PromptTooLong::PromptTooLong(std::int64_t prompt_tokens, std::int64_t n_ctx)
    : Error("generate: the prompt is " + std::to_string(prompt_tokens) +
            " tokens but the context holds " + std::to_string(n_ctx) +
            " (shorten it or load with a larger context)"),
      prompt_tokens_(prompt_tokens),
      n_ctx_(n_ctx) {}

std::string_view stop_reason_name(StopReason reason) {
    switch (reason) {
        case StopReason::end_of_generation:
            return "end of generation";
        case StopReason::stop_string:
            return "stop string";
        case StopReason::max_tokens:
            return "max tokens";
        case StopReason::callback:
            return "stopped by callback";
        case StopReason::cancelled:
            return "cancelled";
        case StopReason::context_full:
            return "context full";
    }
    return "?";
}

struct Session::Impl {
    // Declared first so that it is destroyed last: the decoder's buffers belong to it.
    std::shared_ptr<Device> device;
    gpu::Context* context = nullptr;  // the device's
    std::optional<text::Tokenizer> tokenizer;
    std::optional<ChatTemplate> chat;
    bool has_template = false;
    std::unique_ptr<models::Decoder> decoder;
    std::int64_t prefill_chunk = 256;
    double load_s = 0;
    std::string context_warning;

    std::unique_ptr<session::MediaPrompt> media;  // with an mmproj

    std::vector<ChatMessage> messages;
    std::vector<session::RowKey> cached;  // the rows the KV cache holds, in order
    std::atomic<bool> cancel_requested{false};

    session::VisionPrompt* vision() const { return media ? media->vision() : nullptr; }
    session::AudioPrompt* audio() const { return media ? media->audio() : nullptr; }

    // The prompt of a conversation: text tokens, or rows with the media's places.
    PreparedPrompt prepare(std::span<const ChatMessage> conversation) const;
    GenerateResult run(PreparedPrompt prompt, const GenerateOptions& options,
                       Clock::time_point t_call, double image_seconds);
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

Session Session::load(const std::filesystem::path& path, const SessionOptions& options,
                      const LoadProgress& progress, const std::atomic<bool>* cancel) {
    const auto t0 = Clock::now();
    const auto step = [&](float fraction) {
        if (cancel != nullptr && cancel->load()) throw LoadCancelled();
        if (progress) progress(fraction);
    };
    step(0.0f);
    check_value("n_ctx", static_cast<double>(options.n_ctx), session_limits::n_ctx);
    check_value("prefill_chunk", static_cast<double>(options.prefill_chunk),
                session_limits::prefill_chunk);
    auto impl = std::make_unique<Impl>();
    const gguf::File file = gguf::File::open(path);
    const models::DecoderHParams hparams = models::read_hparams(file);
    step(0.02f);
    impl->tokenizer.emplace(text::Tokenizer::from_gguf(file));
    impl->chat.emplace(ChatTemplate::from_gguf(file));
    impl->has_template = file.contains("tokenizer.chat_template");
    step(0.05f);

    impl->device =
        options.gpu ? options.gpu
                    : Device::shared({.device = options.device, .validation = options.validation});
    impl->context = &impl->device->context();
    std::optional<gguf::File> mmproj;
    if (!options.mmproj.empty()) mmproj.emplace(gguf::File::open(options.mmproj));
    session::check_fits(file, hparams, options, impl->context->device(),
                        mmproj ? &*mmproj : nullptr, impl->context->memory_stats().device_in_use);
    step(0.1f);

    models::DecoderOptions decoder_options;
    decoder_options.n_ctx = options.n_ctx;
    decoder_options.prefill_chunk = options.prefill_chunk;
    if (mmproj) {
        // Before the text weights: a wrong pair fails fast.
        const bool mrope =
            models::find_architecture(hparams.architecture)->rope_mode == ops::RopeMode::multi;
        // An mmproj holds a vision encoder, an audio encoder or both (Qwen2.5-Omni); one with
        // neither gets the vision side's error, which names what is missing.
        const bool hears = models::has_audio_encoder(*mmproj);
        std::unique_ptr<session::VisionPrompt> vision;
        if (!hears || mmproj->get_or<bool>("clip.has_vision_encoder", false)) {
            vision = std::make_unique<session::VisionPrompt>(
                *impl->context, *mmproj, *impl->tokenizer, hparams, mrope, path.string());
        }
        std::unique_ptr<session::AudioPrompt> audio;
        if (hears) {
            audio = std::make_unique<session::AudioPrompt>(
                *impl->context, *mmproj, *impl->tokenizer, hparams, path.string());
        }
        impl->media = std::make_unique<session::MediaPrompt>(
            *impl->context, std::move(vision), std::move(audio), mrope, hparams.n_embd);
        decoder_options.prefill_chunk =
            std::max(decoder_options.prefill_chunk, impl->media->min_prefill_chunk());
    }
    decoder_options.upload_progress = [&](std::uint64_t done, std::uint64_t total) {
        step(0.1f +
             0.85f * static_cast<float>(static_cast<double>(done) /
                                        static_cast<double>(std::max<std::uint64_t>(total, 1))));
    };
    impl->decoder = std::make_unique<models::Decoder>(*impl->context, file, decoder_options);
    impl->prefill_chunk = impl->decoder->prefill_chunk();
    if (const std::int64_t n_ctx = impl->decoder->n_ctx(); n_ctx > hparams.n_ctx_train) {
        impl->context_warning =
            "the context of " + std::to_string(n_ctx) + " tokens is longer than the " +
            std::to_string(hparams.n_ctx_train) + " " + path.filename().string() +
            " was trained with; answers may lose quality past that";
    }
    step(1.0f);
    impl->load_s = seconds_since(t0);
    return Session(std::move(impl));
}

void Session::add_message(ChatRole role, std::string content) {
    impl_->messages.push_back({role, std::move(content), {}});
}
void Session::add_message(ChatRole role, std::vector<MessagePart> parts) {
    std::vector<MessagePart> expanded;
    for (MessagePart& part : parts) {
        if (int(part.is_image()) + int(part.is_audio()) + int(part.is_video()) +
                int(!part.text.empty()) >
            1)
            throw Error("add_message: a part holds more than one of text, image, sound and video");
        if (!part.is_video()) {
            expanded.push_back(std::move(part));
            continue;
        }
        const VideoPlan plan = plan_video(*part.video, part.video_tokens);
        // A video's sound goes in only for a model that hears, each stretch after the picture
        // it starts at; a stretch too short for one audio row is left out.
        const session::AudioPrompt* audio = impl_->audio();
        for (MessagePart& piece : session::expand_video(*part.video, plan, audio != nullptr)) {
            if (piece.is_audio() && audio->embedding_rows(piece.audio->samples.size()) <= 0)
                continue;
            expanded.push_back(std::move(piece));
        }
    }
    parts = std::move(expanded);
    std::string content;
    bool image = false, audio = false;
    for (const MessagePart& part : parts) {
        image = image || part.is_image();
        audio = audio || part.is_audio();
        content += part.text;
    }
    if (image && !impl_->vision()) throw Error(std::string(kNoVision));
    if (audio && !impl_->audio()) throw Error(std::string(kNoAudio));
    for (const MessagePart& part : parts)
        if (part.is_audio()) impl_->audio()->check(*part.audio);
    impl_->messages.push_back(
        {role, std::move(content), image || audio ? std::move(parts) : std::vector<MessagePart>{}});
}
VideoPlan Session::plan_video(const media::Video& video, std::int64_t token_budget) const {
    if (!impl_->vision()) throw Error(std::string(kNoVision));
    check_value(video.name + ": the video's token budget", static_cast<double>(token_budget),
                video_plan_limits::token_budget);
    const std::int64_t budget = token_budget > 0 ? token_budget : impl_->decoder->n_ctx() / 2;
    session::VideoCosts costs;
    costs.picture_rows = [&](std::int32_t width, std::int32_t height) {
        return impl_->vision()->image_rows(width, height);
    };
    costs.text_tokens = [&](std::string_view text) {
        text::EncodeOptions encode;
        encode.add_special = false;
        return static_cast<std::int64_t>(impl_->tokenizer->encode(text, encode).size());
    };
    // A model that hears gets the sound too (add_message puts it after each picture, leaving
    // out a stretch too short for one row), inside the same budget.
    if (const session::AudioPrompt* audio = impl_->audio()) {
        costs.sound_rows = [audio](std::size_t samples) -> std::int64_t {
            return audio->embedding_rows(samples) > 0 ? audio->prompt_rows(samples) : 0;
        };
    }
    return session::plan_video(video, budget, costs);
}
bool Session::has_vision() const {
    return impl_->vision() != nullptr;
}
bool Session::has_audio() const {
    return impl_->audio() != nullptr;
}
std::span<const ChatMessage> Session::messages() const {
    return impl_->messages;
}
void Session::remove_last_message() {
    if (!impl_->messages.empty()) impl_->messages.pop_back();
}
void Session::clear_messages() {
    impl_->messages.clear();
}
void Session::reset() {
    impl_->messages.clear();
    impl_->cached.clear();
    impl_->decoder->truncate(0);
}
void Session::cancel() {
    impl_->cancel_requested.store(true);
}

PreparedPrompt Session::Impl::prepare(std::span<const ChatMessage> conversation) const {
    if (!has_media(conversation))
        return text_prompt(session::tokenize_chat(*chat, *tokenizer, conversation));
    if (!media) throw Error(std::string(kNoVision));
    std::vector<const MessagePart*> parts;
    for (const auto& message : conversation)
        for (const auto& part : message.parts)
            if (part.is_media()) parts.push_back(&part);
    const auto pieces = session::tokenize_chat_with_media(*chat, *tokenizer, conversation);
    PreparedPrompt prompt;
    prompt.media = media->build(pieces, parts);
    prompt.keys = prompt.media->keys;
    const auto rows = prompt.media->rows.tokens();
    prompt.tokens.assign(rows.begin(), rows.end());
    prompt.positions = prompt.media->rows.positions();
    prompt.spans = prompt.media->rows.non_causal_spans();
    return prompt;
}

GenerateResult Session::generate(const GenerateOptions& options) {
    const auto t_call = Clock::now();
    Impl& m = *impl_;
    if (m.messages.empty()) throw Error("generate: the conversation is empty (add a user message)");
    if (m.messages.back().content.empty() && m.messages.back().parts.empty())
        throw Error("generate: the last message is empty");
    check_options(options);
    const std::int64_t n_ctx = m.decoder->n_ctx();
    const std::int64_t room = answer_room(options.max_tokens, n_ctx);
    // Old turns are left out of a copy; the conversation changes only once the prompt fits.
    std::vector<ChatMessage> shorter;
    std::int64_t left_out = 0;
    PreparedPrompt prompt = m.prepare(m.messages);
    while (rows(prompt) + room > n_ctx) {
        if (left_out == 0) shorter = m.messages;
        const std::int64_t removed = remove_oldest_exchange(shorter);
        if (removed == 0) break;
        left_out += removed;
        prompt = m.prepare(shorter);
    }
    // Preprocessing the images new to the session happens here (sounds need none).
    const double prepare_seconds =
        prompt.media && !prompt.media->preprocessed.empty() ? seconds_since(t_call) : 0.0;
    if (rows(prompt) >= n_ctx) throw PromptTooLong(rows(prompt), n_ctx);
    if (left_out > 0) m.messages = std::move(shorter);
    GenerateResult result = m.run(std::move(prompt), options, t_call, prepare_seconds);
    result.messages_left_out = left_out;
    m.messages.push_back({ChatRole::assistant, result.text, {}});
    return result;
}

GenerateResult Session::generate_raw(std::string_view text, const GenerateOptions& options) {
    const auto t_call = Clock::now();
    if (text.empty()) throw Error("generate: the prompt is empty");
    check_options(options);
    text::EncodeOptions encode;
    encode.add_special = true;
    encode.parse_special = false;
    return impl_->run(text_prompt(impl_->tokenizer->encode(text, encode)), options, t_call, 0.0);
}

GenerateResult Session::Impl::run(PreparedPrompt prompt, const GenerateOptions& options,
                                  Clock::time_point t_call, double image_seconds) {
    cancel_requested.store(false);
    const std::int64_t n_ctx = decoder->n_ctx();
    const auto n_prompt = static_cast<std::int64_t>(prompt.keys.size());
    if (prompt.keys.empty()) throw Error("generate: the prompt is empty");
    if (n_prompt >= n_ctx) throw PromptTooLong(n_prompt, n_ctx);

    GenerateResult result;
    Timings& t = result.timings;
    t.prompt_tokens = n_prompt;
    t.image_encode_seconds = image_seconds;

    // Keep the longest common prefix; at least one row is evaluated to get logits. A cut
    // inside an image's run of rows moves to the run's start: a non-causal span must be
    // evaluated whole, and the rows need their embeddings anyway.
    std::size_t reuse = 0;
    while (reuse < cached.size() && reuse < prompt.keys.size() &&
           cached[reuse] == prompt.keys[reuse])
        ++reuse;
    reuse = std::min(reuse, prompt.keys.size() - 1);
    while (reuse > 0 && prompt.tokens[reuse] < 0 && prompt.tokens[reuse - 1] < 0) --reuse;
    // A sliding-window layer's ring may no longer hold what came before the cut: then
    // nothing is reused.
    reuse = static_cast<std::size_t>(decoder->truncate(static_cast<std::int64_t>(reuse)));
    cached.resize(reuse);
    t.prompt_tokens_reused = static_cast<std::int64_t>(reuse);

    // The media rows still to evaluate, encoded (only the media they belong to) and gathered.
    gpu::Tensor embeddings;
    if (prompt.media) {
        session::MediaWork work;
        embeddings = media->gather(*prompt.media, reuse, work);
        t.images_encoded = work.images;
        t.image_encode_seconds += work.image_seconds;
        t.sounds_encoded = work.audio.sounds;
        t.audio_decode_seconds = work.audio.decode_seconds;
        t.audio_mel_seconds = work.audio.mel_seconds;
        t.audio_encode_seconds = work.audio.encode_seconds;
    }

    // The rows after `reuse`, in pieces of at most prefill_chunk that never cut a non-causal
    // span, so that cancel() is honoured during a long prompt too.
    const std::size_t n_rest = prompt.keys.size() - reuse;
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    for (const auto& [b, e] : prompt.spans) {
        if (b >= static_cast<std::int64_t>(reuse))
            spans.emplace_back(b - static_cast<std::int64_t>(reuse),
                               e - static_cast<std::int64_t>(reuse));
    }
    const std::size_t planes =
        prompt.positions.empty() ? 0 : prompt.positions.size() / prompt.keys.size();
    const auto t_prompt = Clock::now();
    std::vector<float> logits;
    std::vector<std::int32_t> piece_positions;
    std::int64_t at = 0, embedding_at = 0;
    for (const std::int64_t end :
         models::prefill_chunk_ends(static_cast<std::int64_t>(n_rest), prefill_chunk, spans)) {
        if (cancel_requested.load()) {
            result.stop = StopReason::cancelled;
            t.prompt_seconds = seconds_since(t_prompt);
            return result;
        }
        const std::size_t first = reuse + static_cast<std::size_t>(at);
        const auto count = static_cast<std::size_t>(end - at);
        models::DecoderInput input;
        input.tokens = std::span<const text::TokenId>(prompt.tokens).subspan(first, count);
        std::int64_t image_rows = 0;
        for (const auto id : input.tokens) image_rows += id < 0 ? 1 : 0;
        gpu::Tensor piece_embeddings;
        if (image_rows > 0) {
            piece_embeddings = embeddings.rows_slice(embedding_at, image_rows);
            input.embeddings = &piece_embeddings;
        }
        piece_positions.clear();
        for (std::size_t plane = 0; plane < planes; ++plane) {
            const auto from = prompt.positions.begin() +
                              static_cast<std::ptrdiff_t>(plane * prompt.keys.size() + first);
            piece_positions.insert(piece_positions.end(), from,
                                   from + static_cast<std::ptrdiff_t>(count));
        }
        input.positions = piece_positions;
        for (const auto& [b, e] : spans) {
            if (b >= at && e <= end) input.non_causal_spans.emplace_back(b - at, e - at);
        }
        logits = decoder->forward(input);
        cached.insert(cached.end(), prompt.keys.begin() + static_cast<std::ptrdiff_t>(first),
                      prompt.keys.begin() + static_cast<std::ptrdiff_t>(first + count));
        t.prompt_tokens_evaluated += static_cast<std::int64_t>(count);
        embedding_at += image_rows;
        at = end;
    }
    t.prompt_seconds = seconds_since(t_prompt);
    t.prompt_tokens_per_second = per_second(t.prompt_tokens_evaluated, t.prompt_seconds);

    const auto t_gen = Clock::now();
    text::Sampler sampler(options.sampling);
    for (const text::TokenId id : prompt.tokens)
        if (id >= 0) sampler.accept(id);  // media rows are no tokens
    text::StreamingDetokenizer detokenizer(*tokenizer);
    session::StopStrings stops(options.stop);
    bool callback_stopped = false;
    const auto emit = [&](const std::string& piece) {
        if (piece.empty() || callback_stopped) return;
        result.text += piece;
        if (options.on_piece && !options.on_piece(piece)) callback_stopped = true;
    };

    bool finished = false;
    while (!finished) {
        if (options.max_tokens >= 0 && t.generated_tokens >= options.max_tokens) {
            result.stop = StopReason::max_tokens;
            break;
        }
        if (cancel_requested.load()) {
            result.stop = StopReason::cancelled;
            break;
        }
        const text::TokenId next = sampler.sample(logits);
        sampler.accept(next);
        if (t.generated_tokens++ == 0) t.time_to_first_token = seconds_since(t_call);
        result.tokens.push_back(next);
        if (tokenizer->is_end_of_generation(next)) {
            result.stop = StopReason::end_of_generation;
            break;
        }
        emit(stops.push(detokenizer.push(next)));
        if (stops.stopped()) {
            result.stop = StopReason::stop_string;
            finished = true;
        } else if (callback_stopped) {
            result.stop = StopReason::callback;
            finished = true;
        } else if (decoder->n_past() >= n_ctx) {
            result.stop = StopReason::context_full;
            finished = true;
        } else {
            logits = decoder->forward(std::span(&next, 1));
            cached.push_back({next, 0, 0});
        }
    }
    if (!stops.stopped() && !callback_stopped) {
        emit(stops.push(detokenizer.flush()));
        if (!stops.stopped()) emit(stops.flush());
    }
    t.generation_seconds = seconds_since(t_gen);
    t.generated_tokens_per_second = per_second(t.generated_tokens, t.generation_seconds);
    return result;
}

const text::Tokenizer& Session::tokenizer() const {
    return *impl_->tokenizer;
}
const ChatTemplate& Session::chat_template() const {
    return *impl_->chat;
}
bool Session::has_chat_template() const {
    return impl_->has_template;
}
std::string_view Session::architecture() const {
    return impl_->decoder->hparams().architecture;
}
const std::shared_ptr<Device>& Session::device() const {
    return impl_->device;
}
std::string_view Session::device_name() const {
    return impl_->context->device().name;
}
std::int64_t Session::n_ctx() const {
    return impl_->decoder->n_ctx();
}
std::int64_t Session::trained_context() const {
    return impl_->decoder->hparams().n_ctx_train;
}
const std::string& Session::context_warning() const {
    return impl_->context_warning;
}
std::int64_t Session::n_cached() const {
    return impl_->decoder->n_past();
}
double Session::load_seconds() const {
    return impl_->load_s;
}
std::uint64_t Session::weight_bytes() const {
    return impl_->decoder->weight_bytes();
}
std::uint64_t Session::kv_cache_bytes() const {
    return impl_->decoder->kv_cache_bytes();
}

std::uint64_t Session::device_memory_in_use() const {
    return impl_->context->memory_stats().device_in_use;
}

}  // namespace prism
