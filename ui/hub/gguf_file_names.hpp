#pragma once

// What a GGUF file's name says about it on the hub, where names follow llama.cpp's habits:
// "<Model>-<QUANT>.gguf", "mmproj-<Model>-<precision>.gguf", and split files
// "<Model>-<QUANT>-00001-of-00003.gguf".

#include <QList>
#include <QString>

#include "hub/hub_api.hpp"

namespace prism::ui {

// The quantization or precision tag in a file name, upper case: "Q4_K_M", "IQ2_XXS", "Q8_0",
// "F16", "BF16", "TQ1_0"; empty when the name has none.
QString quant_label(const QString& file_name);

// A projector (vision/audio encoder) file rather than a text model.
bool is_mmproj_name(const QString& file_name);

// Part k of n of a split model ("-00002-of-00003"): true with k and n set.
bool split_part(const QString& file_name, int& part, int& parts);

// A model as the browser offers it: one file, or every part of a split model
// ("<name>-00001-of-00003.gguf" ... "-00003-of-00003.gguf") as one entry.
struct HubModelFiles {
    QList<HubFile> files;  // the parts in order (part 1 first), or the one file
    int parts = 1;         // how many parts the names announce
    QString path() const { return files.front().path; }
    qint64 size() const;  // all parts together
    bool complete() const { return files.size() == parts; }
};

// The listing's files with each split model's parts gathered into one entry, placed where its
// first listed part was. Parts of one model share everything before "-0000k-of-0000n".
QList<HubModelFiles> group_split_models(const QList<HubFile>& files);

// The projector to offer with a text model of the same repository: the only one, or the one
// at the highest precision (F16 > BF16 > F32 > quantized), then by name. Empty when none.
QString matching_mmproj(const QList<HubFile>& files);

}  // namespace prism::ui
