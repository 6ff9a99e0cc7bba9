#pragma once

// What the app knows about one GGUF file from its header alone.

#include <QList>
#include <QMetaType>
#include <QString>

namespace prism::ui {

struct ModelInfo {
    QString path;  // absolute
    QString file_name;
    QString name;          // general.name, else the file name without ".gguf"
    QString architecture;  // general.architecture ("llama", "clip", ...)
    QString quantization;  // from general.file_type ("Q4_K_M"), else the commonest tensor type
    qint64 size_bytes = 0;
    qint64 context_length = 0;    // <arch>.context_length; 0 when absent
    qint64 embedding_length = 0;  // <arch>.embedding_length (a text model's n_embd)

    // Multimodal projector files (general.architecture "clip" / general.type "mmproj").
    bool is_mmproj = false;
    QString projector_type;       // clip.projector_type, else the per-modality ones joined by "+"
    qint64 projection_width = 0;  // width of the embeddings it feeds the text model
    // For a projector: which encoders it holds. For a text model: those of its paired projector.
    bool has_vision = false;
    bool has_audio = false;

    // For text models, set by pairing: the projector beside it, or why there is none.
    QString mmproj_path;
    QString pairing_note;

    bool broken = false;
    QString error;  // the reader's message when broken
};

}  // namespace prism::ui

Q_DECLARE_METATYPE(prism::ui::ModelInfo)
