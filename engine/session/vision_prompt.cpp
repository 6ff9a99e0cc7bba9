#include "session/vision_prompt.hpp"

#include <algorithm>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/gpu/context.hpp"

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
    : encoder_([&] {
          checked(models::read_vision_hparams(mmproj), text, mmproj, text_name);
          return std::make_unique<models::VisionEncoder>(context, mmproj);
      }()),
      traits_(models::projector_traits(encoder_->hparams().projector)),
      layout_(traits_.layout, tokenizer, text_name),
      mrope_(mrope) {
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

void VisionPrompt::add_image(const media::Image& image, std::uint64_t hash,
                             std::map<std::uint64_t, media::PreprocessedImage>& preprocessed) {
    if (shapes_.contains(hash)) return;
    media::PreprocessedImage pre = preprocess(image);
    shapes_[hash] = shape_of(pre);
    preprocessed.emplace(hash, std::move(pre));
}

void VisionPrompt::append(PromptRows& rows, std::vector<RowKey>& keys, std::uint64_t hash) const {
    const std::size_t before = rows.tokens().size();
    layout_.append(rows, shapes_.at(hash));
    std::int64_t index = 0;
    for (std::size_t r = before; r < rows.tokens().size(); ++r) {
        const std::int32_t id = rows.tokens()[r];
        keys.push_back(id < 0 ? RowKey{-1, hash, index++} : RowKey{id, 0, 0});
    }
}

std::vector<models::ImageEmbeddings> VisionPrompt::encode(const media::Image& image,
                                                          const media::PreprocessedImage* pre) {
    const media::PreprocessedImage again = pre ? media::PreprocessedImage{} : preprocess(image);
    std::vector<models::ImageEmbeddings> tiles;
    for (const media::PlanarImage& tile : (pre ? *pre : again).images)
        tiles.push_back(encoder_->encode(tile));
    return tiles;
}

}  // namespace prism::session
