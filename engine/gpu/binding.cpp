#include "prism/gpu/binding.hpp"

#include <string>

#include "prism/error.hpp"

namespace prism::gpu {

BoundTensor bind(const Context& context, const Tensor& tensor, bool written, std::uint32_t unit) {
    const std::uint64_t align = context.device().min_storage_buffer_offset_alignment;
    const BufferRange& r = tensor.memory;
    const std::uint64_t base = r.offset / align * align;
    const std::uint64_t shift = r.offset - base;
    if (shift % unit != 0) {
        throw Error("tensor " + tensor.shape_string() + " starts at byte " +
                    std::to_string(r.offset) + ", which is not a multiple of its element size " +
                    std::to_string(unit));
    }
    BoundTensor b;
    b.arg = {{r.buffer, base, r.size + shift}, written};
    b.first = static_cast<std::uint32_t>(shift / unit);
    return b;
}

}  // namespace prism::gpu
