#pragma once

// Small synthetic mmproj files (random weights, llama.cpp's tensor names and clip.* keys) for
// the vision-encoder tests that need chosen shapes or defects rather than reference outputs.

#include <string>

#include "support/gguf_builder.hpp"

namespace prism::test {

struct TinyMmprojSpec {
    // "idefics3", "gemma3", "qwen2.5vl_merger", "qwen2vl_merger" or "mlp" (others are written
    // with idefics3's tensors, for the unsupported-type error).
    std::string projector = "idefics3";
    std::string omit;         // a tensor name left out
    std::string wrong_shape;  // a tensor written with its first two dims swapped
    bool vision = true;       // clip.has_vision_encoder
};

// idefics3: 32x32 images, patch 8, width 32, 4 heads, shuffle 2 -> 4 tokens of 48.
// gemma3: 32x32, patch 4, width 24, 2 heads of 12, pool 4 -> 4 tokens of 40.
// qwen: patch 4, merge 2, width 32, 2 heads of 16, 2 layers; qwen2.5vl has windows of 16 px
//       (2x2 cells) on layer 0, SwiGLU and RMS norms -> (W/8)(H/8) tokens of 40.
// mlp: 16x16, patch 4, class token, pre-LN, 3 blocks of which 2 run -> 16 tokens of 40.
GgufBuilder tiny_mmproj(const TinyMmprojSpec& spec = {});

}  // namespace prism::test
