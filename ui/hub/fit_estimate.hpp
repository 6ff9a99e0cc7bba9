#pragma once

// Whether a model fits in a device's memory before it is downloaded. Prism's decoder keeps
// the whole model and an f16 KV cache on the device: per layer a K and a V tensor of
// head_dim x n_head_kv x rows halves, where rows is the context, or on a sliding-window layer
// (Gemma 3) its window plus one prefill chunk when that is fewer. So the need is
//   weights (the file's size) + mmproj (its size) + 2 * n_head_kv * head_dim * 2 * sum of rows
// and the shape comes from the file's own GGUF header, read with a Range request of its first
// bytes (gguf_header_probe below) instead of the whole file.

#include <QByteArray>
#include <QString>
#include <cstdint>

namespace prism::ui {

struct KvShape {
    std::int64_t n_layer = 0;
    std::int64_t n_head_kv = 0;
    std::int64_t head_dim = 0;
    std::int64_t sliding_window = 0;  // 0: every layer sees the whole context
    std::int64_t sliding_layers = 0;  // how many layers have that window
    bool valid() const { return n_layer > 0 && n_head_kv > 0 && head_dim > 0; }
};

enum class ProbeResult { Done, NeedMoreBytes, NotGguf };

// Reads the metadata at the start of a GGUF file (version 2 or 3) far enough to know its KV
// shape: {arch}.block_count, {arch}.attention.head_count_kv (else head_count), and
// {arch}.attention.key_length (else embedding_length / head_count), and the sliding window
// ({arch}.attention.sliding_window; {arch}.attention.sliding_window_pattern, a period or one
// bool per layer, else every sixth layer global as llama.cpp assumes). `prefix` is the file's
// first bytes; NeedMoreBytes when the metadata runs past them. `error` says why on NotGguf.
ProbeResult probe_gguf_kv_shape(const QByteArray& prefix, KvShape& shape, QString& error);

// `prefill_chunk`: the decoder's chunk (the app's 256), which a sliding layer's ring adds to
// its window.
std::uint64_t kv_cache_bytes(const KvShape& shape, std::int64_t context,
                             std::int64_t prefill_chunk = 256);

struct FitEstimate {
    std::uint64_t needed = 0;  // bytes
    bool fits = false;
};

// `device_bytes` is the device's memory (0: unknown, then nothing "fits").
FitEstimate estimate_fit(std::uint64_t weights, std::uint64_t mmproj, const KvShape& shape,
                         std::int64_t context, std::uint64_t device_bytes);

}  // namespace prism::ui
