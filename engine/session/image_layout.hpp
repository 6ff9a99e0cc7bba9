#pragma once

// Where an image's embedding rows go in a prompt, with the marker tokens around them and their
// positions, exactly as llama.cpp's mtmd lays them out (mtmd.cpp init_vision / add_media,
// mtmd-spec.md sections 7 and 9):
//   idefics3 (SmolVLM): per tile row r, column c: <fake_token_around_image><row_r_col_c> + the
//     tile's rows, "\n" after every tile row but the last; then "\n\n"
//     <fake_token_around_image><global-img> + the global image's rows + <fake_token_around_image>
//   gemma3: <start_of_image> rows <end_of_image>; the rows attend bidirectionally
//   qwen (Qwen2-VL / Qwen2.5-VL): <|vision_start|> rows <|vision_end|>, M-RoPE positions
//     (t, h, w) = (p, p + row, p + col) over the merged grid, then p += max(cols, rows)
//   plain (LLaVA's mlp projector): the rows alone
// Pure CPU: no GPU, no model; the marker ids come from the text vocabulary.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "prism/models/projector_traits.hpp"
#include "prism/tokenizer.hpp"

namespace prism::session {

// A projector row names its kind (prism/models/projector_traits.hpp).
using ImageLayoutKind = models::ImageLayoutKind;

// One prompt row as a session's KV cache remembers it: a token, or row `index` of an image
// known by its content hash.
struct RowKey {
    std::int32_t token = 0;   // image rows: -1
    std::uint64_t image = 0;  // image rows: the content hash
    std::int64_t index = 0;   // image rows: the row within the image
    bool operator==(const RowKey&) const = default;
};

// One image as the encoder sees it.
struct ImageShape {
    std::int32_t tile_rows = 0, tile_cols = 0;  // idefics3: the tile grid (0: global image only)
    std::int64_t tokens_per_image = 0;          // rows per tile and per global image; else all
    std::int32_t grid_cols = 0, grid_rows = 0;  // qwen: the merged token grid (cols x rows)
};

// A prompt being assembled: rows (token ids, -1 where the next embedding row goes), their
// positions and the non-causal spans.
class PromptRows {
  public:
    explicit PromptRows(bool mrope, std::int64_t first_position = 0)
        : mrope_(mrope), next_position_(first_position) {}

    void append_text(std::span<const text::TokenId> tokens);
    void append_token(text::TokenId token) { append_text(std::span(&token, 1)); }
    // n embedding rows at consecutive positions (or one M-RoPE image of cols x rows cells when
    // grid_cols > 0), optionally one non-causal span.
    void append_embeddings(std::int64_t n, bool non_causal, std::int32_t grid_cols = 0,
                           std::int32_t grid_rows = 0);

    std::span<const std::int32_t> tokens() const { return tokens_; }
    // One per row, or for M-RoPE four planes (t, h, w, e) of tokens().size() each.
    std::vector<std::int32_t> positions() const;
    const std::vector<std::pair<std::int64_t, std::int64_t>>& non_causal_spans() const {
        return spans_;
    }
    std::int64_t embedding_rows() const { return embedding_rows_; }
    std::int64_t next_position() const { return next_position_; }
    bool mrope() const { return mrope_; }

  private:
    bool mrope_;
    std::int64_t next_position_;
    std::int64_t embedding_rows_ = 0;
    std::vector<std::int32_t> tokens_;
    std::vector<std::array<std::int32_t, 4>> positions_;  // t, h, w, e (1-D: t only)
    std::vector<std::pair<std::int64_t, std::int64_t>> spans_;
};

// A marker written as one control (or user-defined) token, as mtmd's templates need; throws
// Error naming the missing marker, `model_name` and the `modality` ("vision", "audio") whose
// projector's layout needs it.
text::TokenId layout_marker(const text::Tokenizer& tokenizer, std::string_view text,
                            std::string_view model_name, std::string_view modality);

class ImageLayout {
  public:
    // Looks the kind's marker tokens up in the vocabulary; throws Error naming the missing
    // marker and `model_name` when the text model does not have it.
    ImageLayout(ImageLayoutKind kind, const text::Tokenizer& tokenizer,
                std::string_view model_name);

    ImageLayoutKind kind() const { return kind_; }
    // Whether positions are M-RoPE planes (qwen).
    bool mrope() const { return kind_ == ImageLayoutKind::qwen; }
    // Embedding rows one image needs.
    static std::int64_t embedding_rows(const ImageShape& image);
    // Appends one image: markers, -1 rows, positions, spans. Throws Error for a shape that does
    // not fit the kind (no tokens, a qwen grid that is not tokens_per_image cells...).
    void append(PromptRows& prompt, const ImageShape& image) const;

  private:
    ImageLayoutKind kind_;
    text::TokenId begin_ = -1, end_ = -1;              // gemma3, qwen
    text::TokenId fake_ = -1, global_ = -1;            // idefics3
    std::vector<text::TokenId> newline_, blank_line_;  // idefics3: "\n" and "\n\n"
    const text::Tokenizer* tokenizer_ = nullptr;  // idefics3's <row_r_col_c>, looked up per tile
    std::string model_name_;
    text::TokenId cell_token(std::int32_t row, std::int32_t col) const;
};

}  // namespace prism::session
