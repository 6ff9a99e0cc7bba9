#pragma once

// Checks and uploads the tensors of an encoder (a vision tower, an audio encoder, their
// projectors) from a GGUF file: every tensor is found and its shape and type checked before
// any is uploaded, so a bad file fails fast with the tensor named. Matrices keep the type the
// file stores them in; elementwise operands are widened to f32, since converters store some of
// them as f16.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/gpu/buffer.hpp"
#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::models {

enum class WeightKind {
    matrix,      // a linear layer's weight: any computable type, uploaded as stored
    f32,         // elementwise operand: widened to f32
    conv,        // convolution kernel: F32 or F16 as stored, anything else widened to f32
    transposed,  // a 2-D matrix used the other way round: widened to f32 and transposed
};

using WeightShape = std::array<std::int64_t, 4>;

class WeightLoader {
  public:
    // `what` ends the message for a missing tensor, as in "(projector qwen2a)".
    WeightLoader(const gguf::File& file, std::string what);

    bool has(const std::string& name) const;
    // ne[axis] of a tensor that must exist.
    std::int64_t dim(const std::string& name, int axis) const;

    // Queues a tensor for `target` after checking its presence, shape and type.
    void add(gpu::Tensor& target, const std::string& name, WeightShape shape, WeightKind kind);
    void optional(std::optional<gpu::Tensor>& target, const std::string& name, WeightShape shape,
                  WeightKind kind);

    // Uploads every queued tensor (one buffer each), points the targets at them and adds the
    // bytes uploaded to `bytes`.
    std::vector<gpu::Buffer> upload_all(gpu::Context& context, std::uint64_t& bytes) const;
    // Everything upload_all does on the host, with nothing uploaded; the bytes it would upload.
    std::uint64_t convert_all() const;

  private:
    struct Pending {
        gpu::Tensor* target;
        const gguf::TensorInfo* info;
        WeightShape shape;
        WeightKind kind;
    };

    static bool kept(const Pending& p);
    static std::span<const std::byte> host_form(const Pending& p, WeightShape& shape,
                                                std::vector<float>& widened);

    const gguf::File& file_;
    std::string what_;
    std::vector<Pending> pending_;
};

}  // namespace prism::models
