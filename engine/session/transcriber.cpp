#include "prism/transcriber.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <string_view>

#include "models/tensor_views.hpp"
#include "models/whisper_decoder.hpp"
#include "models/whisper_encoder.hpp"
#include "models/whisper_encoder_weights.hpp"
#include "models/whisper_ggml.hpp"
#include "models/whisper_hparams.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/log_mel.hpp"
#include "prism/printable.hpp"
#include "prism/tokenizer.hpp"
#include "session/whisper_decoding.hpp"
#include "session/whisper_suppress.hpp"

namespace prism {
namespace {

using Clock = std::chrono::steady_clock;
using session::TokenId;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

constexpr std::int64_t kWindowFrames = media::mel_window_frames;  // 3000
constexpr std::int64_t kMaxInitialTimestampIndex = 50;            // 1 s
// A window decoded above this temperature does not prompt the next
// (faster-whisper's prompt_reset_on_temperature).
constexpr float kPromptResetTemperature = 0.5f;
// Hebrew's token is <|he|> in openai-whisper's and current Hugging Face vocabularies, <|iw|>
// (the code ISO 639 withdrew) in older ones and in whisper.cpp's names.
constexpr std::string_view kHebrew = "he", kHebrewWithdrawn = "iw";

std::shared_ptr<Device> device_for(const TranscriberOptions& o) {
    return o.gpu ? o.gpu : Device::shared({.device = o.device});
}

std::string trim_left(std::string s) {
    const auto first = s.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first);
}

bool blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

std::string strip(const std::string& s) {
    const auto first = s.find_first_not_of(" \t\n\r");
    if (first == std::string::npos) return {};
    const auto last = s.find_last_not_of(" \t\n\r");
    return s.substr(first, last - first + 1);
}

// One decoding of one window at one temperature.
struct Decoded {
    std::vector<TokenId> tokens;  // sampled, without the end of text
    double sum_logprob = 0;
    double no_speech_prob = 0;
    double avg_logprob = 0;
    double compression_ratio = 0;
    float temperature = 0;
};

}  // namespace

std::string Transcript::text() const {
    std::string out;
    for (const auto& s : segments) out += s.text;
    return trim_left(out);
}

struct Transcriber::Impl {
    std::shared_ptr<Device> device;  // first, so that it outlives the buffers below
    gpu::Context& ctx;
    gguf::File file;
    models::WhisperHParams h;
    text::Tokenizer tokenizer;
    session::WhisperTokens special;
    models::WhisperEncoder encoder;
    models::WhisperDecoder decoder;
    gpu::Buffer encoded_buffer;
    gpu::Tensor encoded;
    media::LogMelSpectrogram mel;
    std::atomic<bool> cancel_requested{false};
    bool reuse = true;
    std::optional<std::size_t> encoded_key;  // hash of the window last encoded
    std::vector<float> encoded_mel;          // and the window itself (a hash can collide)

    Impl(const std::filesystem::path& path, const TranscriberOptions& options)
        : device(device_for(options)),
          ctx(device->context()),
          file(models::open_whisper_model(path)),
          h(models::read_whisper_hparams(file)),
          tokenizer(text::Tokenizer::from_gguf(file)),
          special(session::WhisperTokens::find(tokenizer, h, file.name())),
          encoder(ctx, models::whisper_encoder_shape(h),
                  models::load_whisper_encoder_weights(ctx, file, h), file.name()),
          decoder(ctx, file, h),
          mel(static_cast<int>(h.n_mel)),
          reuse(options.reuse_last_window) {
        if (static_cast<std::int64_t>(tokenizer.vocab_size()) != h.n_vocab) {
            throw FormatError(file.name() + ": the vocabulary has " +
                              std::to_string(tokenizer.vocab_size()) + " tokens, the embeddings " +
                              std::to_string(h.n_vocab));
        }
        if (special.multilingual && special.languages.empty()) {
            throw FormatError(
                file.name() +
                ": a multilingual Whisper without language tokens (whisper.lang_ids)");
        }
        // whisper.cpp's files carry no list of suppressed tokens: Whisper's own.
        if (!file.contains("whisper.suppress_tokens")) {
            h.suppress_tokens = session::whisper_suppress_tokens(tokenizer, special);
        }
        encoded_buffer = ctx.allocate(models::f32_bytes(h.n_state * h.n_audio_ctx));
        encoded = models::f32(encoded_buffer, {h.n_state, h.n_audio_ctx});
    }

    std::string decode_text(std::span<const TokenId> tokens) const {
        std::vector<TokenId> text;
        for (const TokenId t : tokens)
            if (t < special.eot) text.push_back(t);
        return tokenizer.decode(text);
    }

    // The window's normalised log-mel with the frames past the sound set to 0, as
    // Whisper's reference pads a short window's features.
    media::MelSpectrogram window_mel(std::span<const float> samples, std::int64_t seek,
                                     std::int64_t segment_frames) {
        const auto first = static_cast<std::size_t>(seek) * media::mel_hop;
        const std::size_t count =
            std::min<std::size_t>(samples.size() - first, media::mel_window_samples);
        auto windows = mel.windows(samples.subspan(first, count));
        media::MelSpectrogram m = std::move(windows.front());
        for (int b = 0; b < m.n_mel; ++b) {
            for (std::int64_t t = segment_frames; t < m.n_frames; ++t) {
                m.data[static_cast<std::size_t>(b) * static_cast<std::size_t>(m.n_frames) +
                       static_cast<std::size_t>(t)] = 0.0f;
            }
        }
        return m;
    }

    // The encoder's output and the decoder's cross-attention keys and values for a window,
    // kept for the last window encoded: transcribing the same sound again (other options, a
    // retry) does not encode it again.
    void encode_window(const media::MelSpectrogram& m) {
        const std::string_view bytes(reinterpret_cast<const char*>(m.data.data()),
                                     m.data.size() * sizeof(float));
        const std::size_t key = std::hash<std::string_view>{}(bytes);
        if (reuse && encoded_key && *encoded_key == key && encoded_mel == m.data) return;
        encoded_key.reset();
        encoder.upload(m);
        auto rec = ctx.record();
        encoder.record(rec, models::WhisperEncodeSpan{.first_frame = 0, .frames = kWindowFrames},
                       encoded);
        decoder.set_audio(rec, encoded);
        ctx.submit(rec);
        if (!reuse) return;
        encoded_key = key;
        encoded_mel = m.data;
    }

    // openai-whisper's detect_language: the logits at <|startoftranscript|> restricted to the
    // language tokens, softmax; in the model's language order.
    std::vector<double> language_probabilities() {
        decoder.truncate(0);
        const TokenId sot = special.sot;
        const std::vector<float>& logits = decoder.forward(std::span(&sot, 1));
        std::vector<double> p;
        p.reserve(special.languages.size());
        double top = -std::numeric_limits<double>::infinity();
        for (const TokenId id : special.languages)
            top = std::max(top, static_cast<double>(logits[static_cast<std::size_t>(id)]));
        double sum = 0;
        for (const TokenId id : special.languages) {
            p.push_back(std::exp(static_cast<double>(logits[static_cast<std::size_t>(id)]) - top));
            sum += p.back();
        }
        for (double& x : p) x /= sum;
        return p;
    }

    // The model file's name without its folder: option errors reach the server's clients,
    // which need not learn where the server keeps its models.
    std::string model_name() const {
        return std::filesystem::path(file.name()).filename().string();
    }

    // "de" for <|de|>; Hebrew as "he" whichever way the vocabulary spells it.
    std::string language_code(TokenId id) const {
        const std::string piece = strip(tokenizer.token_to_piece(id, true));
        const bool wrapped = piece.size() > 4 && piece.starts_with("<|") && piece.ends_with("|>");
        const std::string code = wrapped ? piece.substr(2, piece.size() - 4) : piece;
        return code == kHebrewWithdrawn ? std::string(kHebrew) : code;
    }

    // The language token for a code, either spelling of Hebrew finding either token.
    std::optional<TokenId> language_token(const std::string& code) const {
        std::vector<std::string> spellings = {code};
        if (code == kHebrew) spellings.emplace_back(kHebrewWithdrawn);
        if (code == kHebrewWithdrawn) spellings.emplace_back(kHebrew);
        for (const auto& c : spellings) {
            const auto id = tokenizer.find_token("<|" + c + "|>");
            if (id && std::find(special.languages.begin(), special.languages.end(), *id) !=
                          special.languages.end())
                return id;
        }
        return std::nullopt;
    }

    std::vector<LanguageProbability> detect(std::span<const float> samples) {
        if (!special.multilingual) {
            throw Error(file.name() + ": an English-only Whisper model has no language to detect");
        }
        const auto frames = static_cast<std::int64_t>(samples.size()) / media::mel_hop;
        if (frames < 1) throw Error("detect_language: less than 10 ms of sound");
        encode_window(window_mel(samples, 0, std::min(kWindowFrames, frames)));
        const std::vector<double> p = language_probabilities();
        std::vector<LanguageProbability> out;
        out.reserve(p.size());
        for (std::size_t i = 0; i < p.size(); ++i)
            out.push_back({language_code(special.languages[i]), p[i]});
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
            return a.probability > b.probability;
        });
        return out;
    }

    Decoded decode_once(const std::vector<TokenId>& prompt, std::size_t sot_index,
                        const TranscribeOptions& o, float temperature, std::mt19937_64& rng,
                        TranscribeTimings& timings) {
        Decoded d;
        d.temperature = temperature;
        decoder.truncate(0);
        const std::span<const TokenId> all(prompt);
        std::vector<float> logits = decoder.forward(all.first(sot_index + 1));
        d.no_speech_prob = session::probability(logits, special.no_speech);
        if (sot_index + 1 < prompt.size()) logits = decoder.forward(all.subspan(sot_index + 1));
        session::StepRules rules;
        rules.tokens = &special;
        rules.suppress = h.suppress_tokens;
        rules.suppress_begin = h.suppress_tokens_begin;
        rules.timestamps = o.timestamps;
        rules.max_initial_timestamp_index = kMaxInitialTimestampIndex;
        const auto start_step = static_cast<std::int64_t>(prompt.size()) - 1;
        const std::int64_t max_new = std::min(h.n_text_ctx / 2, h.n_text_ctx - start_step);
        while (true) {
            session::apply_step_rules(logits, d.tokens, rules);
            const TokenId token = session::choose_token(logits, temperature, rng);
            if (temperature > 0) {
                for (float& x : logits) x /= temperature;
            }
            d.sum_logprob += session::log_probability(logits, token);
            ++timings.decoder_steps;
            if (token == special.eot) break;
            d.tokens.push_back(token);
            if (static_cast<std::int64_t>(d.tokens.size()) >= max_new || cancel_requested) break;
            logits = decoder.forward(std::span(&token, 1));
        }
        d.avg_logprob = d.sum_logprob / static_cast<double>(d.tokens.size() + 1);
        d.compression_ratio = session::compression_ratio(strip(decode_text(d.tokens)));
        return d;
    }

    // faster-whisper's generate_with_fallback: the first temperature whose text
    // is neither too repetitive nor too improbable (or is judged silence); else
    // the best of all.
    Decoded decode_with_fallback(const std::vector<TokenId>& prompt, std::size_t sot_index,
                                 const TranscribeOptions& o, std::mt19937_64& rng,
                                 TranscribeTimings& timings) {
        std::vector<Decoded> all, below_ratio;
        for (const float temperature : o.temperatures) {
            Decoded d;
            const int candidates = temperature > 0 ? std::max(1, o.best_of) : 1;
            for (int c = 0; c < candidates; ++c) {
                Decoded candidate = decode_once(prompt, sot_index, o, temperature, rng, timings);
                const auto score = [](const Decoded& x) {
                    return x.sum_logprob /
                           static_cast<double>(std::max<std::size_t>(1, x.tokens.size()));
                };
                if (c == 0 || score(candidate) > score(d)) d = std::move(candidate);
                if (cancel_requested) break;
            }
            bool fallback = false;
            if (d.compression_ratio > o.compression_ratio_threshold) {
                fallback = true;
            } else {
                below_ratio.push_back(d);
            }
            if (d.avg_logprob < o.log_prob_threshold) fallback = true;
            if (d.no_speech_prob > o.no_speech_threshold && d.avg_logprob < o.log_prob_threshold) {
                fallback = false;
            }
            all.push_back(d);
            if (!fallback || cancel_requested) return d;
        }
        const auto& pool = below_ratio.empty() ? all : below_ratio;
        return *std::max_element(pool.begin(), pool.end(), [](const Decoded& a, const Decoded& b) {
            return a.avg_logprob < b.avg_logprob;
        });
    }

    Transcript run(std::span<const float> samples, const TranscribeOptions& o,
                   const TranscribeCallbacks& cb) {
        cancel_requested = false;
        if (o.temperatures.empty()) throw Error("transcribe: no temperature to decode with");
        for (const float t : o.temperatures) {
            if (!std::isfinite(t) || t < 0 || t > 10) {
                throw Error("transcribe: temperature " + std::to_string(t) +
                            " must be from 0 to 10");
            }
        }
        Transcript out;
        out.timings.audio_seconds = static_cast<double>(samples.size()) / media::audio_sample_rate;
        const auto content_frames = static_cast<std::int64_t>(samples.size()) / media::mel_hop;
        const double total_seconds = static_cast<double>(content_frames) * 0.01;
        std::optional<TokenId> language;
        if (!special.multilingual) {
            if (!o.language.empty() && o.language != "en") {
                throw Error(model_name() + ": an English-only Whisper model cannot transcribe '" +
                            printable(o.language) + "' (a multilingual model can)");
            }
            out.language = "en";
            out.language_probability = 1;
        } else if (!o.language.empty()) {
            const auto id = language_token(o.language);
            if (!id) {
                throw Error(model_name() + ": the model has no language '" + printable(o.language) +
                            "' (it knows " + std::to_string(special.languages.size()) +
                            ", such as " + language_code(special.languages.front()) + ")");
            }
            language = *id;
            out.language = language_code(*id);
            out.language_probability = 1;
        }
        std::mt19937_64 rng(o.seed);
        std::vector<TokenId> all_tokens;
        std::size_t prompt_reset_since = 0;
        // Stretches to transcribe, in frames: the whole sound, or the caller's clips.
        std::vector<std::pair<std::int64_t, std::int64_t>> stretches;
        for (const auto& [start, end] : o.clips) {
            if (!(start >= 0 && end > start && std::isfinite(end)))
                throw Error("transcribe: a clip must end after it starts, at 0 s or later");
            const auto a =
                std::min(content_frames, static_cast<std::int64_t>(std::llround(start * 100)));
            const auto b =
                std::min(content_frames, static_cast<std::int64_t>(std::llround(end * 100)));
            if (!stretches.empty() && a < stretches.back().second)
                throw Error("transcribe: clips must be in order and must not overlap");
            stretches.emplace_back(a, b);
        }
        if (o.clips.empty()) stretches.emplace_back(0, content_frames);
        std::size_t stretch = 0;
        std::int64_t seek = stretches.front().first;
        while (stretch < stretches.size()) {
            if (cancel_requested) break;
            const auto [stretch_start, stretch_end] = stretches[stretch];
            seek = std::max(seek, stretch_start);
            if (seek >= stretch_end) {
                ++stretch;
                continue;
            }
            const std::int64_t segment_frames =
                std::min({kWindowFrames, content_frames - seek, stretch_end - seek});
            auto t0 = Clock::now();
            const media::MelSpectrogram m = window_mel(samples, seek, segment_frames);
            out.timings.mel_ms += ms_since(t0);
            t0 = Clock::now();
            encode_window(m);
            out.timings.encode_ms += ms_since(t0);
            ++out.timings.windows;

            t0 = Clock::now();
            if (special.multilingual && !language) {
                const std::vector<double> p = language_probabilities();
                // The first of equals, as argmax takes it.
                const auto best =
                    static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
                language = special.languages[best];
                out.language = language_code(*language);
                out.language_probability = p[best];
            }
            std::vector<TokenId> prompt;
            const std::span<const TokenId> previous =
                std::span<const TokenId>(all_tokens).subspan(prompt_reset_since);
            if (!previous.empty()) {
                prompt.push_back(special.sot_prev);
                const auto keep = std::min<std::size_t>(
                    previous.size(), static_cast<std::size_t>(h.n_text_ctx / 2 - 1));
                prompt.insert(prompt.end(), previous.end() - static_cast<std::ptrdiff_t>(keep),
                              previous.end());
            }
            const std::size_t sot_index = prompt.size();
            prompt.push_back(special.sot);
            if (special.multilingual) {
                prompt.push_back(*language);
                prompt.push_back(o.translate ? special.translate : special.transcribe);
            }
            if (!o.timestamps) prompt.push_back(special.no_timestamps);

            const Decoded d = decode_with_fallback(prompt, sot_index, o, rng, out.timings);
            out.timings.decode_ms += ms_since(t0);
            if (cancel_requested) {
                out.cancelled = true;
                break;
            }
            const bool silent =
                d.no_speech_prob > o.no_speech_threshold && !(d.avg_logprob > o.log_prob_threshold);
            if (silent) {
                seek += segment_frames;
            } else {
                const session::WindowSplit split =
                    session::split_by_timestamps(d.tokens, special, seek, segment_frames);
                for (const auto& piece : split.segments) {
                    TranscriptSegment s;
                    s.text = decode_text(piece.tokens);
                    if (piece.start == piece.end || blank(s.text)) continue;
                    s.start = piece.start;
                    s.end = piece.end;
                    if (!o.clips.empty()) {
                        // Whisper may place a timestamp past a clip's last sound: times stay
                        // within the clip.
                        const double clip_end = static_cast<double>(stretch_end) * 0.01;
                        s.end = std::min(s.end, clip_end);
                        s.start = std::min(s.start, s.end);
                    }
                    s.tokens = piece.tokens;
                    s.avg_logprob = d.avg_logprob;
                    s.no_speech_prob = d.no_speech_prob;
                    s.compression_ratio = d.compression_ratio;
                    s.temperature = d.temperature;
                    all_tokens.insert(all_tokens.end(), piece.tokens.begin(), piece.tokens.end());
                    if (cb.segment) cb.segment(s);
                    out.segments.push_back(std::move(s));
                }
                // A window always moves on, even when its only timestamp is <|0.00|>.
                seek = std::max(split.next_seek, seek + 1);
                if (!o.condition_on_previous_text || d.temperature > kPromptResetTemperature) {
                    prompt_reset_since = all_tokens.size();
                }
            }
            if (cb.progress) {
                cb.progress(std::min(static_cast<double>(seek) * 0.01, total_seconds),
                            total_seconds);
            }
        }
        if (cancel_requested) out.cancelled = true;
        return out;
    }
};

Transcriber::Transcriber(const std::filesystem::path& model, const TranscriberOptions& options)
    : impl_(std::make_unique<Impl>(model, options)) {}

Transcriber::~Transcriber() = default;

const std::shared_ptr<Device>& Transcriber::device() const {
    return impl_->device;
}

Transcript Transcriber::transcribe(std::span<const float> samples, const TranscribeOptions& options,
                                   const TranscribeCallbacks& callbacks) {
    return impl_->run(samples, options, callbacks);
}

std::vector<LanguageProbability> Transcriber::detect_language(std::span<const float> samples) {
    return impl_->detect(samples);
}

void Transcriber::cancel() {
    impl_->cancel_requested = true;
}

bool Transcriber::multilingual() const {
    return impl_->special.multilingual;
}

std::string Transcriber::model_description() const {
    const auto& h = impl_->h;
    return "whisper: " + std::to_string(h.n_enc_layer) + " + " + std::to_string(h.n_dec_layer) +
           " blocks, " + std::to_string(h.n_state) + " wide, " + std::to_string(h.n_vocab) +
           " tokens" + (impl_->special.multilingual ? ", multilingual" : ", English only");
}

}  // namespace prism
