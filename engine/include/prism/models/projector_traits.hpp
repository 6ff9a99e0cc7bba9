#pragma once

// What distinguishes one multimodal projector family from another, as data: one row per
// clip.projector_type. The encoder, its hyperparameters and weights, the preprocessing, the
// prompt layout, the pairing check and the memory estimate read the row instead of testing
// names, so a new family is a row plus the steps its fields switch on (as ArchitectureTraits
// does for decoders).
//
// Audio projectors (ultravox, qwen2a, voxtral, qwen2.5o) are rows of the same table with modality
// audio: their input is a log-mel spectrogram and their `audio` rule says how the Whisper encoder
// is run over it (which frames, pooling), how frames become rows (stacking, the projector) and
// which markers surround the rows; the vision fields of such a row are unused.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "prism/media/image_preprocess.hpp"

namespace prism::models {

enum class ProjectorType {
    idefics3,
    gemma3,
    qwen25vl,
    qwen2vl,
    mlp,
    ultravox,
    qwen2a,
    voxtral,
    qwen25o,
};

enum class Modality { vision, audio };

// How the tower's tokens become output tokens, which is also how they are counted.
enum class TokenMerge {
    none,           // one token per patch; a class token is dropped (LLaVA)
    pixel_shuffle,  // s x s neighbouring patches concatenated into one token (idefics3)
    avg_pool,       // s x s average pooling over the patch grid (gemma3)
    merge_cells,    // m x m patches per token, put in cell order before the blocks (Qwen)
};

// The projection after the merge.
enum class ProjectorHead {
    linear,           // one matrix without bias: mm.model.fc (idefics3)
    norm_projection,  // RMSNorm mm.soft_emb_norm, then mm.input_projection (gemma3)
    mlp,              // mm.0, GELU, mm.2, both with bias (LLaVA, Qwen's merger)
};

// How the tower's tokens know where they are.
enum class PatchPositions {
    learned,  // v.position_embd rows added to the patch embedding (class token: row 0)
    rope_2d,  // 2-D RoPE (y, x) on Q and K in every block; the patch kernel is a Conv3d's two
              // temporal slices, summed for a still image (Qwen)
};

// Where the embedding rows go in the prompt and which markers surround them
// (session/image_layout.hpp writes each kind out).
enum class ImageLayoutKind {
    idefics3,  // per tile <fake_token_around_image><row_r_col_c> rows, then the global image
    gemma3,    // <start_of_image> rows <end_of_image>, the rows a non-causal span
    qwen,      // <|vision_start|> rows <|vision_end|>, M-RoPE grid positions
    plain,     // the rows alone
};

// The projector of an audio row, after the Whisper encoder.
enum class AudioHead {
    none,            // a vision row
    stack_swiglu,    // ultravox: stack frames, RMSNorm mm.a.norm_pre, mm.a.mlp.1, SwiGLU with the
                     // second half gated, RMSNorm mm.a.norm_mid, mm.a.mlp.2 (no biases)
    linear,          // qwen2a: mm.a.fc with bias
    stack_gelu_mlp,  // voxtral: stack frames, mm.a.mlp.1, GELU (erf), mm.a.mlp.2 (no biases)
};

// Which mel frames the encoder runs over, per 30-s window.
enum class AudioFrames {
    // The whole window, padding included: the model's frames attend to the padding (Whisper,
    // Voxtral), or its reference runs that way (llama.cpp's ultravox).
    padded_window,
    // The sound's frames and the two padding frames the convolutions read, keys beyond the
    // sound left out: equal to the reference's padded window with its key mask (Qwen2-Audio).
    sound_only,
    // The sound's frames cut into stretches of `chunk_frames`, each encoded as if alone (its
    // own zero-padded convolutions, positions from 0, attention within the stretch), then
    // pooled as one sequence: Qwen2.5-Omni's encoder (n_window 100, so 2-s stretches).
    sound_in_chunks,
};

// Markers around the rows of one sound.
enum class AudioLayoutKind {
    plain,       // the rows alone (ultravox)
    qwen_audio,  // <|audio_bos|> rows <|audio_eos|> (Qwen2-Audio, Qwen2.5-Omni)
    voxtral,     // [BEGIN_AUDIO] rows
};

struct AudioRule {
    AudioHead head = AudioHead::none;
    AudioFrames frames = AudioFrames::padded_window;
    int pool = 1;           // 2: AvgPool1d(2, 2) before the encoder's final LayerNorm
    int default_stack = 1;  // frames per row when clip.audio.projector.stack_factor is absent
    AudioLayoutKind layout = AudioLayoutKind::plain;
    // sound_in_chunks: mel frames per stretch (twice the model's n_window, which the GGUF
    // files do not carry; every released Qwen2.5-Omni has 100).
    std::int64_t chunk_frames = 0;
};

struct ProjectorTraits {
    std::string_view name;  // clip.projector_type as the mmproj spells it
    ProjectorType type;
    // Another spelling that means this row: Qwen2.5-Omni's files name one projector,
    // "qwen2.5o", for both towers (the vision row's alias, the audio row's name).
    std::string_view alias = {};
    Modality modality;
    media::VisionPreprocessRule preprocess;  // kind, resize filter, padding, token bounds
    ImageLayoutKind layout;
    TokenMerge merge;
    // clip.vision.projector.scale_factor when the file omits it (pixel_shuffle, avg_pool);
    // merge_cells reads clip.vision.spatial_merge_size (default 2).
    std::int32_t default_scale_factor;
    ProjectorHead head;
    PatchPositions positions;
    bool mrope_text = false;        // image rows take (t, h, w) positions over the merged grid,
                                    // so the text model must use M-RoPE, and only such rows do
    bool window_attention = false;  // windowed blocks (clip.vision.n_wa_pattern, window_size)
    bool rms_norm = false;          // RMSNorm in the tower instead of LayerNorm with bias
    bool feature_layer = false;     // runs the blocks up to clip.vision.feature_layer only
    bool class_token = false;       // a CLIP class token runs with the patches
    // The one text architecture the projector's output is made for; empty: any whose
    // positions suit mrope_text.
    std::string_view text_architecture = {};
    // Rows one prefill chunk must hold: Gemma 3's 256 rows attend to each other and are
    // decoded in one batch (mtmd's non-causal image batch).
    std::int64_t min_prefill_chunk = 1;
    AudioRule audio = {};  // modality audio only
};

// Every row, in ProjectorType order.
std::span<const ProjectorTraits> projector_table();
// The row of a clip.projector_type spelling (its name or alias), or nullptr.
const ProjectorTraits* find_projector(std::string_view name);
// The same among one modality's rows ("qwen2.5o" names a vision and an audio row).
const ProjectorTraits* find_projector(std::string_view name, Modality modality);
// The row of a type (every type has one).
const ProjectorTraits& projector_traits(ProjectorType type);
// "idefics3, gemma3, ..." (what find_projector accepts), for messages.
std::string supported_projectors();
// The mmproj's spelling of a type.
std::string_view projector_type_name(ProjectorType type);

}  // namespace prism::models
