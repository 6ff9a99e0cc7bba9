#pragma once

// Reads a GGUF file's header with the engine's reader into a ModelInfo. Never throws: a file
// the reader rejects comes back with broken = true and the reader's message.

#include <QString>

#include "data/model_info.hpp"

namespace prism::ui {

ModelInfo inspect_model_file(const QString& path);

// llama.cpp's general.file_type numbers as names ("Q4_K_M"); empty for unknown numbers.
QString file_type_name(quint32 file_type);

// Ordering of precisions for choosing among projector files: f16 first (what llama.cpp's
// converters and downloaders default to), then bf16, f32, then quantized types by bits.
// Higher is preferred.
int projector_precision_rank(const QString& quantization);

}  // namespace prism::ui
