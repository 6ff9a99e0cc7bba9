#include "session/vision_prompt.hpp"

#include <algorithm>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"
#include "prism/ops/copy.hpp"

namespace prism::session {
namespace {

constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
constexpr std::uint64_t kFnvPrime = 1099511628211ull;

void fnv(std::uint64_t& h, std::span<const std::uint8_t> bytes) {
    for (const std::uint8_t b : bytes) {
        h ^= b;
        h *= kFnvPrime;
    }
}

const models::VisionHParams& checked(const models::VisionHParams& vision,
                                     const models::DecoderHParams& text, const gguf::File& mmproj,
                                     std::string_view text_name) {
    models::check_mmproj_pair(vision, text.n_embd, text.architecture, mmproj.name(), text_name);
    return vision;
}

}  // namespace

std::uint64_t image_hash(const media::Image& image) {
    std::uint64_t h = kFnvOffset;
    const std::int32_t size[2] = {image.width, image.height};
    fnv(h, std::span(reinterpret_cast<const std::uint8_t*>(size), sizeof size));
    fnv(h, image.rgb);
    return h;
}

VisionPrompt::VisionPrompt(gpu::Context& context, const gguf::File& mmproj,
                           const text::Tokenizer& tokenizer, const models::DecoderHParams& text,
                           bool mrope, std::string_view text_name)
    : context_(context),
      encoder_([&] {
          checked(models::read_vision_hparams(mmproj), text, mmproj, text_name);
          return std::make_unique<models::VisionEncoder>(context, mmproj);
      }()),
      traits_(models::projector_traits(encoder_->hparams().projector)),
      layout_(traits_.layout, tokenizer, text_name),
      mrope_(mrope),
      n_embd_(text.n_embd) {
    if (layout_.mrope() != mrope) {
        throw Error(mmproj.name() + ": projector " + std::string(traits_.name) +
                    " does not suit the text model " + std::string(text_name) + " (" +
                    text.architecture + ")" +
                    (mrope ? ": the text model uses M-RoPE positions"
                           : ": the projector needs a text model with M-RoPE (qwen2vl)"));
    }
}

VisionPrompt::~VisionPrompt() = default;

const models::VisionHParams& VisionPrompt::hparams() const {
    return encoder_->hparams();
}

std::int64_t VisionPrompt::min_prefill_chunk() const {
    return traits_.min_prefill_chunk;
}

media::PreprocessedImage VisionPrompt::preprocess(const media::Image& image) const {
    return media::preprocess(image, encoder_->hparams().preprocess);
}

ImageShape VisionPrompt::shape_of(const media::PreprocessedImage& pre) const {
    if (pre.images.empty()) throw Error("vision: preprocessing produced no image");
    ImageShape shape;
    shape.tile_rows = pre.tile_rows;
    shape.tile_cols = pre.tile_cols;
    shape.tokens_per_image = encoder_->tokens_for(pre.images.front());
    for (const auto& tile : pre.images) {
        if (encoder_->tokens_for(tile) != shape.tokens_per_image)
            throw Error("vision: tiles of one image differ in token count");
    }
    if (layout_.mrope()) {
        const std::int32_t align = encoder_->hparams().preprocess.align;
        if (align <= 0) throw Error("vision: the encoder's preprocessing has no alignment");
        shape.grid_cols = pre.images.front().width / align;
        shape.grid_rows = pre.images.front().height / align;
    }
    return shape;
}

std::int64_t VisionPrompt::image_rows(std::int32_t width, std::int32_t height) const {
    const media::PreprocessPlan plan =
        media::plan_preprocess(width, height, encoder_->hparams().preprocess);
    if (plan.images.empty()) throw Error("vision: preprocessing plans no image");
    ImageShape shape;
    shape.tile_rows = plan.tile_rows;
    shape.tile_cols = plan.tile_cols;
    const media::ImageSize first = plan.images.front();
    shape.tokens_per_image = encoder_->tokens_for_size(first.width, first.height);
    if (layout_.mrope()) {
        const std::int32_t align = encoder_->hparams().preprocess.align;
        shape.grid_cols = first.width / align;
        shape.grid_rows = first.height / align;
    }
    PromptRows rows(mrope_);
    layout_.append(rows, shape);
    return static_cast<std::int64_t>(rows.tokens().size());
}

VisionPromptRows VisionPrompt::build(std::span<const ChatPiece> pieces,
                                     std::span<const std::shared_ptr<const media::Image>> images) {
    VisionPromptRows out;
    out.rows = PromptRows(mrope_);
    for (const auto& image : images) {
        const std::uint64_t h = image_hash(*image);
        out.hashes.push_back(h);
        out.images.emplace(h, image);
        if (shapes_.contains(h)) continue;
        media::PreprocessedImage pre = preprocess(*image);
        shapes_[h] = shape_of(pre);
        out.preprocessed.emplace(h, std::move(pre));
    }
    for (const ChatPiece& piece : pieces) {
        if (piece.image < 0) {
            out.rows.append_text(piece.tokens);
            for (const auto id : piece.tokens) out.keys.push_back({id, 0, 0});
            continue;
        }
        const std::uint64_t h = out.hashes.at(static_cast<std::size_t>(piece.image));
        const std::size_t before = out.rows.tokens().size();
        layout_.append(out.rows, shapes_.at(h));
        std::int64_t index = 0;
        for (std::size_t r = before; r < out.rows.tokens().size(); ++r) {
            const std::int32_t id = out.rows.tokens()[r];
            out.keys.push_back(id < 0 ? RowKey{-1, h, index++} : RowKey{id, 0, 0});
        }
    }
    return out;
}

gpu::Tensor VisionPrompt::gather(const VisionPromptRows& prompt, std::size_t from,
                                 std::int64_t& encoded) {
    // The images (by hash) whose rows are needed, and how many rows.
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

    // Every row of each needed image, on the GPU, in layout order (tiles then global image).
    std::map<std::uint64_t, std::vector<models::ImageEmbeddings>> encodings;
    for (const std::uint64_t h : needed) {
        // Preprocessed by build() when new; an image seen in an earlier turn whose rows have
        // left the cache since is preprocessed again.
        const auto found = prompt.preprocessed.find(h);
        const media::PreprocessedImage pre = found != prompt.preprocessed.end()
                                                 ? media::PreprocessedImage{}
                                                 : preprocess(*prompt.images.at(h));
        const auto& tiles = found != prompt.preprocessed.end() ? found->second.images : pre.images;
        auto& list = encodings[h];
        for (const media::PlanarImage& tile : tiles) list.push_back(encoder_->encode(tile));
        ++encoded;
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
        // A run of rows of one tile: one copy.
        const auto& list = encodings.at(k.image);
        std::int64_t index = k.index, tile = 0;
        while (tile < static_cast<std::int64_t>(list.size()) &&
               index >= list[static_cast<std::size_t>(tile)].tensor.ne[1]) {
            index -= list[static_cast<std::size_t>(tile)].tensor.ne[1];
            ++tile;
        }
        if (tile == static_cast<std::int64_t>(list.size()))
            throw Error("vision: an image has fewer embedding rows than its layout");
        const gpu::Tensor& src = list[static_cast<std::size_t>(tile)].tensor;
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
