#include "models/tensor_views.hpp"

namespace prism::models {

gpu::Tensor f32(const gpu::Buffer& buffer, std::initializer_list<std::int64_t> shape) {
    return gpu::Tensor::contiguous(buffer, TensorType::F32, shape);
}

gpu::Tensor columns(const gpu::Buffer& buffer, std::int64_t rows, std::int64_t first,
                    std::int64_t count) {
    return gpu::Tensor::contiguous(buffer.range(f32_bytes(rows * first), f32_bytes(rows * count)),
                                   TensorType::F32, {rows, count});
}

gpu::Tensor columns(const gpu::Tensor& t, std::int64_t first, std::int64_t count) {
    gpu::Tensor view = t;
    view.memory = t.memory.sub(
        t.nb[1] * static_cast<std::uint64_t>(first),
        t.nb[1] * static_cast<std::uint64_t>(count - 1) + static_cast<std::uint64_t>(t.ne[0]) * 4);
    view.ne = {t.ne[0], count, 1, 1};
    view.nb[2] = view.nb[3] = t.nb[1] * static_cast<std::uint64_t>(count);
    return view;
}

gpu::Tensor head_prefix(gpu::Tensor padded, std::int64_t dim) {
    padded.ne[0] = dim;
    return padded;
}

gpu::Tensor narrow(gpu::Tensor t, int dim, std::int64_t first, std::int64_t count) {
    const auto d = static_cast<std::size_t>(dim);
    t.ne[d] = count;
    std::uint64_t extent = t.type == TensorType::F16 ? 2 : 4;
    for (std::size_t i = 0; i < 4; ++i) extent += static_cast<std::uint64_t>(t.ne[i] - 1) * t.nb[i];
    t.memory = t.memory.sub(static_cast<std::uint64_t>(first) * t.nb[d], extent);
    return t;
}

gpu::Tensor strided(const gpu::Buffer& buffer, std::array<std::int64_t, 4> ne,
                    std::array<std::uint64_t, 4> nb_floats) {
    gpu::Tensor t;
    t.type = TensorType::F32;
    t.ne = ne;
    std::uint64_t extent = 4;
    for (std::size_t i = 0; i < 4; ++i) {
        t.nb[i] = nb_floats[i] * 4;
        extent += static_cast<std::uint64_t>(ne[i] - 1) * t.nb[i];
    }
    t.memory = buffer.range(0, extent);
    return t;
}

}  // namespace prism::models
