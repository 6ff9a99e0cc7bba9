#include "session/media_prompt.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "prism/error.hpp"
#include "prism/gpu/context.hpp"
#include "prism/ops/copy.hpp"

namespace prism::session {
namespace {

constexpr std::string_view kNoVision = "this model has no vision encoder; load an mmproj";
constexpr std::string_view kNoAudio = "this model has no audio encoder; load an mmproj with one";

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

MediaPrompt::MediaPrompt(gpu::Context& context, std::unique_ptr<VisionPrompt> vision,
                         std::unique_ptr<AudioPrompt> audio, bool mrope, std::int64_t n_embd)
    : context_(context),
      vision_(std::move(vision)),
      audio_(std::move(audio)),
      mrope_(mrope),
      n_embd_(n_embd) {
    if (!vision_ && !audio_) throw Error("media prompt: neither a vision nor an audio encoder");
}

MediaPrompt::~MediaPrompt() = default;

std::int64_t MediaPrompt::min_prefill_chunk() const {
    return vision_ ? vision_->min_prefill_chunk() : 1;
}

MediaPromptRows MediaPrompt::build(std::span<const ChatPiece> pieces,
                                   std::span<const MessagePart* const> media) {
    MediaPromptRows out;
    out.rows = PromptRows(mrope_);
    std::vector<std::uint64_t> hashes;
    for (const MessagePart* part : media) {
        if (part->is_image()) {
            if (!vision_) throw Error(std::string(kNoVision));
            const std::uint64_t h = image_hash(*part->image);
            hashes.push_back(h);
            out.images.emplace(h, part->image);
            vision_->add_image(*part->image, h, out.preprocessed);
        } else if (part->is_audio()) {
            if (!audio_) throw Error(std::string(kNoAudio));
            audio_->check(*part->audio);
            const std::uint64_t h = sound_hash(*part->audio);
            hashes.push_back(h);
            out.sounds.emplace(h, part->audio);
        } else {
            throw Error("media prompt: a media part holds neither an image nor a sound");
        }
    }
    for (const ChatPiece& piece : pieces) {
        if (piece.media < 0) {
            out.rows.append_text(piece.tokens);
            for (const auto id : piece.tokens) out.keys.push_back({id, 0, 0});
            continue;
        }
        const auto index = static_cast<std::size_t>(piece.media);
        const std::uint64_t h = hashes.at(index);
        if (media[index]->is_image())
            vision_->append(out.rows, out.keys, h);
        else
            audio_->append(out.rows, out.keys, h, media[index]->audio->samples.size());
    }
    return out;
}

gpu::Tensor MediaPrompt::gather(const MediaPromptRows& prompt, std::size_t from, MediaWork& work) {
    // The media (by hash) whose rows are needed, and how many rows.
    std::vector<std::uint64_t> needed;
    std::int64_t rows = 0;
    for (std::size_t r = from; r < prompt.keys.size(); ++r) {
        const RowKey& k = prompt.keys[r];
        if (k.token >= 0) continue;
        ++rows;
        if (std::find(needed.begin(), needed.end(), k.image) == needed.end())
            needed.push_back(k.image);
    }
    if (rows == 0) return {};

    // Every row of each needed image or sound on the GPU, as consecutive pieces (an image's
    // tiles then its global image; a sound's one tensor).
    std::map<std::uint64_t, std::vector<models::ImageEmbeddings>> image_rows;
    std::map<std::uint64_t, models::AudioEmbeddings> sound_rows;
    std::map<std::uint64_t, std::vector<const gpu::Tensor*>> pieces;
    for (const std::uint64_t h : needed) {
        auto& list = pieces[h];
        if (const auto sound = prompt.sounds.find(h); sound != prompt.sounds.end()) {
            const models::AudioEmbeddings& e =
                sound_rows.emplace(h, audio_->encode(*sound->second, work.audio)).first->second;
            list.push_back(&e.tensor);
            continue;
        }
        const auto t0 = std::chrono::steady_clock::now();
        const auto found = prompt.preprocessed.find(h);
        auto& tiles = image_rows[h] = vision_->encode(
            *prompt.images.at(h), found != prompt.preprocessed.end() ? &found->second : nullptr);
        for (const auto& tile : tiles) list.push_back(&tile.tensor);
        work.image_seconds += seconds_since(t0);
        ++work.images;
    }

    const std::uint64_t bytes = static_cast<std::uint64_t>(n_embd_ * rows) * 4;
    if (!gathered_ || gathered_.size() < bytes) gathered_ = context_.allocate(bytes);
    const auto out =
        gpu::Tensor::contiguous(gathered_.range(0, bytes), TensorType::F32, {n_embd_, rows});

    auto rec = context_.record();
    std::int64_t column = 0;
    for (std::size_t r = from; r < prompt.keys.size();) {
        const RowKey& k = prompt.keys[r];
        if (k.token >= 0) {
            ++r;
            continue;
        }
        // A run of rows of one piece: one copy.
        const auto& list = pieces.at(k.image);
        std::int64_t index = k.index;
        std::size_t piece = 0;
        while (piece < list.size() && index >= list[piece]->ne[1]) {
            index -= list[piece]->ne[1];
            ++piece;
        }
        if (piece == list.size())
            throw Error("media prompt: an image or sound has fewer embedding rows than its layout");
        const gpu::Tensor& src = *list[piece];
        std::int64_t run = 1;
        while (r + static_cast<std::size_t>(run) < prompt.keys.size() &&
               prompt.keys[r + static_cast<std::size_t>(run)] ==
                   RowKey{-1, k.image, k.index + run} &&
               index + run < src.ne[1])
            ++run;
        ops::copy(rec, src.rows_slice(index, run), out.rows_slice(column, run));
        column += run;
        r += static_cast<std::size_t>(run);
    }
    context_.submit(rec);
    return out;
}

}  // namespace prism::session
