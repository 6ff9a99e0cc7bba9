#include "session/image_layout.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "prism/error.hpp"

namespace prism::session {
namespace {

std::int32_t position(std::int64_t p) {
    if (p < 0 || p > std::numeric_limits<std::int32_t>::max())
        throw Error("image layout: position " + std::to_string(p) + " is out of range");
    return static_cast<std::int32_t>(p);
}

// The first id whose decoded piece is `text`, as mtmd's lookup_token finds "\n" and "\n\n"
// ("Ċ", "ĊĊ" in byte-level BPE vocabularies). A vocabulary without such a token gets the text
// tokenized (the tiny fixtures' vocabularies have no "\n\n" token: two "\n").
std::vector<text::TokenId> piece(const text::Tokenizer& tokenizer, std::string_view text,
                                 std::string_view model_name) {
    const auto n = static_cast<text::TokenId>(tokenizer.vocab_size());
    for (text::TokenId id = 0; id < n; ++id) {
        if (tokenizer.token_to_piece(id, true) == text) return {id};
    }
    text::EncodeOptions plain;
    plain.add_special = false;
    auto ids = tokenizer.encode(text, plain);
    if (ids.empty() || tokenizer.decode(ids) != text) {
        throw Error(std::string(model_name) +
                    ": the text model's vocabulary cannot write a line break, which this vision "
                    "projector's prompt layout needs");
    }
    return ids;
}

text::TokenId marker(const text::Tokenizer& tokenizer, std::string_view text,
                     std::string_view model_name) {
    return layout_marker(tokenizer, text, model_name, "vision");
}

}  // namespace

text::TokenId layout_marker(const text::Tokenizer& tokenizer, std::string_view text,
                            std::string_view model_name, std::string_view modality) {
    const auto id = tokenizer.find_token(text);
    if (!id) {
        throw Error(std::string(model_name) + ": the text model's vocabulary has no '" +
                    std::string(text) + "' token, which this " + std::string(modality) +
                    " projector's prompt layout needs (is the mmproj for another model?)");
    }
    return *id;
}

void PromptRows::append_text(std::span<const text::TokenId> tokens) {
    for (const text::TokenId id : tokens) {
        if (id < 0) throw Error("image layout: text token id " + std::to_string(id) + " < 0");
        const std::int32_t p = position(next_position_++);
        tokens_.push_back(id);
        positions_.push_back({p, p, p, 0});
    }
}

void PromptRows::append_embeddings(std::int64_t n, bool non_causal, std::int32_t grid_cols,
                                   std::int32_t grid_rows) {
    if (n <= 0) throw Error("image layout: an image needs at least one embedding row");
    const auto begin = static_cast<std::int64_t>(tokens_.size());
    if (mrope_ && grid_cols > 0) {
        if (grid_rows <= 0 || static_cast<std::int64_t>(grid_cols) * grid_rows != n) {
            throw Error("image layout: a " + std::to_string(grid_cols) + " x " +
                        std::to_string(grid_rows) + " token grid does not hold " +
                        std::to_string(n) + " embedding rows");
        }
        // mtmd_image_tokens_get_decoder_pos: t = p, h = p + row, w = p + col, e = 0; the text
        // after the image continues at p + max(cols, rows) (mtmd_image_tokens_get_n_pos).
        const std::int64_t p = next_position_;
        for (std::int64_t i = 0; i < n; ++i) {
            tokens_.push_back(-1);
            positions_.push_back(
                {position(p), position(p + i / grid_cols), position(p + i % grid_cols), 0});
        }
        next_position_ = p + std::max(grid_cols, grid_rows);
    } else {
        for (std::int64_t i = 0; i < n; ++i) {
            const std::int32_t p = position(next_position_++);
            tokens_.push_back(-1);
            positions_.push_back({p, p, p, 0});
        }
    }
    embedding_rows_ += n;
    if (non_causal) spans_.emplace_back(begin, begin + n);
}

std::vector<std::int32_t> PromptRows::positions() const {
    const std::size_t n = positions_.size();
    std::vector<std::int32_t> out(mrope_ ? 4 * n : n);
    for (std::size_t r = 0; r < n; ++r) {
        out[r] = positions_[r][0];
        if (!mrope_) continue;
        for (std::size_t plane = 1; plane < 4; ++plane) out[plane * n + r] = positions_[r][plane];
    }
    return out;
}

ImageLayout::ImageLayout(ImageLayoutKind kind, const text::Tokenizer& tokenizer,
                         std::string_view model_name)
    : kind_(kind), model_name_(model_name) {
    switch (kind) {
        case ImageLayoutKind::idefics3:
            fake_ = marker(tokenizer, "<fake_token_around_image>", model_name);
            global_ = marker(tokenizer, "<global-img>", model_name);
            newline_ = piece(tokenizer, "\n", model_name);
            blank_line_ = piece(tokenizer, "\n\n", model_name);
            tokenizer_ = &tokenizer;
            break;
        case ImageLayoutKind::gemma3:
            begin_ = marker(tokenizer, "<start_of_image>", model_name);
            end_ = marker(tokenizer, "<end_of_image>", model_name);
            break;
        case ImageLayoutKind::qwen: {
            // Qwen2.5-Omni's vocabulary names the same two markers <|vision_bos|> and
            // <|vision_eos|>.
            const bool omni =
                !tokenizer.find_token("<|vision_start|>") && tokenizer.find_token("<|vision_bos|>");
            begin_ = marker(tokenizer, omni ? "<|vision_bos|>" : "<|vision_start|>", model_name);
            end_ = marker(tokenizer, omni ? "<|vision_eos|>" : "<|vision_end|>", model_name);
            break;
        }
        case ImageLayoutKind::plain:
            break;
    }
}

text::TokenId ImageLayout::cell_token(std::int32_t row, std::int32_t col) const {
    return marker(*tokenizer_, "<row_" + std::to_string(row) + "_col_" + std::to_string(col) + ">",
                  model_name_);
}

std::int64_t ImageLayout::embedding_rows(const ImageShape& image) {
    const std::int64_t tiles =
        static_cast<std::int64_t>(image.tile_rows) * image.tile_cols + 1;  // + global
    return image.tile_rows > 0 ? tiles * image.tokens_per_image : image.tokens_per_image;
}

void ImageLayout::append(PromptRows& prompt, const ImageShape& image) const {
    if (image.tokens_per_image <= 0)
        throw Error("image layout: an image must have at least one embedding row");
    if (image.tile_rows < 0 || image.tile_cols < 0 ||
        (image.tile_rows == 0) != (image.tile_cols == 0))
        throw Error("image layout: tile grid " + std::to_string(image.tile_rows) + " x " +
                    std::to_string(image.tile_cols) + " is not valid");
    if (prompt.mrope() != mrope())
        throw Error("image layout: the prompt's position kind does not match the layout");
    switch (kind_) {
        case ImageLayoutKind::idefics3:
            for (std::int32_t r = 1; r <= image.tile_rows; ++r) {
                for (std::int32_t c = 1; c <= image.tile_cols; ++c) {
                    prompt.append_token(fake_);
                    prompt.append_token(cell_token(r, c));
                    prompt.append_embeddings(image.tokens_per_image, false);
                }
                if (r != image.tile_rows) prompt.append_text(newline_);
            }
            prompt.append_text(blank_line_);
            prompt.append_token(fake_);
            prompt.append_token(global_);
            prompt.append_embeddings(image.tokens_per_image, false);
            prompt.append_token(fake_);
            return;
        case ImageLayoutKind::gemma3:
            prompt.append_token(begin_);
            prompt.append_embeddings(image.tokens_per_image, true);
            prompt.append_token(end_);
            return;
        case ImageLayoutKind::qwen:
            if (image.grid_cols <= 0 || image.grid_rows <= 0)
                throw Error("image layout: a Qwen image needs its merged token grid");
            prompt.append_token(begin_);
            prompt.append_embeddings(image.tokens_per_image, false, image.grid_cols,
                                     image.grid_rows);
            prompt.append_token(end_);
            return;
        case ImageLayoutKind::plain:
            prompt.append_embeddings(image.tokens_per_image, false);
            return;
    }
}

}  // namespace prism::session
