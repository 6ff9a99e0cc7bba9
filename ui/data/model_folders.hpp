#pragma once

// Where GGUF files are usually found, and the walk that finds them.

#include <QString>
#include <QStringList>

namespace prism::ui {

// The app's own models folder, llama.cpp's download cache, the Hugging Face hub cache
// ($HF_HUB_CACHE, $HF_HOME/hub or ~/.cache/huggingface/hub) and LM Studio's models folders,
// in that order. Folders that do not exist are included (the scan skips them).
QStringList default_model_folders();

// Every *.gguf file under `folders`, at most `max_depth` levels down (enough for the hub's
// models--org--name/snapshots/<rev>/ and LM Studio's publisher/repo/), symlinks followed (the
// hub's snapshot files are links into blobs/), each real file once, in a stable order.
QStringList find_gguf_files(const QStringList& folders, int max_depth = 4);

}  // namespace prism::ui
