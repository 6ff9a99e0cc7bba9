#pragma once

// Choosing the multimodal projector (mmproj) for a text model. A projector fits when the
// embeddings it produces are as wide as the text model's (its n_embd) — mtmd refuses any
// other. Among those that fit, the one whose file name shares most of the model's name wins
// ("mmproj-SmolVLM-256M-Instruct-f16.gguf" for "SmolVLM-256M-Instruct-Q8_0.gguf"), then the
// higher precision (f16 over q8_0), then the file name (for a stable answer).

#include <QString>
#include <QStringList>
#include <vector>

#include "data/model_info.hpp"

namespace prism::ui {

struct MmprojChoice {
    QString path;    // empty when none fits
    QString reason;  // why this one, or why none
};

// Picks among `candidates` (any files; only readable projectors are considered).
MmprojChoice choose_mmproj(const ModelInfo& text_model, const std::vector<ModelInfo>& candidates);

// Picks among the projectors in the text model's folder: mmproj*.gguf files and any GGUF with
// general.architecture "clip". Reads their headers.
MmprojChoice pair_mmproj(const ModelInfo& text_model);
MmprojChoice pair_mmproj(const QString& text_model_path);

// The words of a file name that identify a model: lower case, split at - _ . and spaces,
// without "gguf", "mmproj", "model" and precision/quantization tags ("f16", "q4_k_m").
QStringList model_name_words(const QString& file_name);

}  // namespace prism::ui
