#include "prism/session.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <utility>

#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/decoder.hpp"
#include "session/chat_tokens.hpp"
#include "session/memory_check.hpp"
#include "session/stop_strings.hpp"

namespace prism {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

double per_second(std::int64_t count, double seconds) {
    return seconds > 0 ? static_cast<double>(count) / seconds : 0.0;
}

}  // namespace

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
    std::unique_ptr<gpu::Context> context;
    std::optional<text::Tokenizer> tokenizer;
    std::optional<ChatTemplate> chat;
    bool has_template = false;
    std::unique_ptr<models::Decoder> decoder;
    std::int64_t prefill_chunk = 256;
    double load_s = 0;

    std::vector<ChatMessage> messages;
    std::vector<text::TokenId> cached;  // the tokens the KV cache holds, in order
    std::atomic<bool> cancel_requested{false};

    GenerateResult run(const std::vector<text::TokenId>& prompt, const GenerateOptions& options,
                       Clock::time_point t_call);
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
    auto impl = std::make_unique<Impl>();
    const gguf::File file = gguf::File::open(path);
    const models::DecoderHParams hparams = models::read_hparams(file);
    step(0.02f);
    impl->tokenizer.emplace(text::Tokenizer::from_gguf(file));
    impl->chat.emplace(ChatTemplate::from_gguf(file));
    impl->has_template = file.contains("tokenizer.chat_template");
    step(0.05f);

    gpu::ContextOptions context_options;
    context_options.device = options.device;
    context_options.validation = options.validation;
    impl->context = std::make_unique<gpu::Context>(context_options);
    session::check_fits(file, hparams, options, impl->context->device());
    step(0.1f);

    models::DecoderOptions decoder_options;
    decoder_options.n_ctx = options.n_ctx;
    decoder_options.prefill_chunk = options.prefill_chunk;
    decoder_options.upload_progress = [&](std::uint64_t done, std::uint64_t total) {
        step(0.1f +
             0.85f * static_cast<float>(static_cast<double>(done) /
                                        static_cast<double>(std::max<std::uint64_t>(total, 1))));
    };
    impl->decoder = std::make_unique<models::Decoder>(*impl->context, file, decoder_options);
    impl->prefill_chunk = impl->decoder->prefill_chunk();
    step(1.0f);
    impl->load_s = seconds_since(t0);
    return Session(std::move(impl));
}

void Session::add_message(ChatRole role, std::string content) {
    impl_->messages.push_back({role, std::move(content)});
}
std::span<const ChatMessage> Session::messages() const {
    return impl_->messages;
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

GenerateResult Session::generate(const GenerateOptions& options) {
    const auto t_call = Clock::now();
    Impl& m = *impl_;
    if (m.messages.empty()) throw Error("generate: the conversation is empty (add a user message)");
    if (m.messages.back().content.empty()) throw Error("generate: the last message is empty");
    const auto prompt = session::tokenize_chat(*m.chat, *m.tokenizer, m.messages);
    GenerateResult result = m.run(prompt, options, t_call);
    m.messages.push_back({ChatRole::assistant, result.text});
    return result;
}

GenerateResult Session::generate_raw(std::string_view text, const GenerateOptions& options) {
    const auto t_call = Clock::now();
    if (text.empty()) throw Error("generate: the prompt is empty");
    text::EncodeOptions encode;
    encode.add_special = true;
    encode.parse_special = false;
    return impl_->run(impl_->tokenizer->encode(text, encode), options, t_call);
}

GenerateResult Session::Impl::run(const std::vector<text::TokenId>& prompt,
                                  const GenerateOptions& options, Clock::time_point t_call) {
    cancel_requested.store(false);
    const std::int64_t n_ctx = decoder->n_ctx();
    const auto n_prompt = static_cast<std::int64_t>(prompt.size());
    if (prompt.empty()) throw Error("generate: the prompt is empty");
    if (n_prompt >= n_ctx) {
        throw Error("generate: the prompt is " + std::to_string(n_prompt) +
                    " tokens but the context holds " + std::to_string(n_ctx) +
                    " (shorten it or load with a larger context)");
    }

    GenerateResult result;
    Timings& t = result.timings;
    t.prompt_tokens = n_prompt;

    // Keep the longest common prefix; at least one token is evaluated to get logits.
    std::size_t reuse = 0;
    while (reuse < cached.size() && reuse < prompt.size() && cached[reuse] == prompt[reuse])
        ++reuse;
    reuse = std::min(reuse, prompt.size() - 1);
    decoder->truncate(static_cast<std::int64_t>(reuse));
    cached.resize(reuse);
    t.prompt_tokens_reused = static_cast<std::int64_t>(reuse);

    // Prefill chunk by chunk so that cancel() is honoured during a long prompt too.
    const auto t_prompt = Clock::now();
    std::vector<float> logits;
    for (std::size_t at = reuse; at < prompt.size();) {
        if (cancel_requested.load()) {
            result.stop = StopReason::cancelled;
            t.prompt_seconds = seconds_since(t_prompt);
            return result;
        }
        const std::size_t n = std::min(prompt.size() - at, static_cast<std::size_t>(prefill_chunk));
        const std::span<const text::TokenId> part(prompt.data() + at, n);
        logits = decoder->forward(part);
        cached.insert(cached.end(), part.begin(), part.end());
        t.prompt_tokens_evaluated += static_cast<std::int64_t>(n);
        at += n;
    }
    t.prompt_seconds = seconds_since(t_prompt);
    t.prompt_tokens_per_second = per_second(t.prompt_tokens_evaluated, t.prompt_seconds);

    const auto t_gen = Clock::now();
    text::Sampler sampler(options.sampling);
    for (const text::TokenId id : prompt) sampler.accept(id);
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
        if (options.max_tokens > 0 && t.generated_tokens >= options.max_tokens) {
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
            cached.push_back(next);
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
std::string_view Session::device_name() const {
    return impl_->context->device().name;
}
std::int64_t Session::n_ctx() const {
    return impl_->decoder->n_ctx();
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

}  // namespace prism
