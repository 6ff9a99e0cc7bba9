#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "prism/gpu/buffer.hpp"
#include "prism/gpu/tensor.hpp"

namespace prism::gpu {

class Context;
class Pipeline;

// How a shader reads a binding. CPU Vulkan drivers (lavapipe) turn every storage-buffer load
// into a loop over the lanes with a branch per lane, but a texel-buffer load into straight-line
// gathers, so the read-only operands of hot loops may be bound as texels there.
enum class Via : std::uint8_t {
    storage,      // binding i for the i-th argument
    texel_vec4,   // the next of bindings 8-11: a samplerBuffer over RGBA32F texels
    texel_uvec4,  // the next of bindings 12-13: a usamplerBuffer over RGBA32UI texels
};

// One shader binding: the memory and whether the shader writes it. Binding i of the
// shader's set 0 is the i-th argument of dispatch(), unless it is read another way (Via).
struct Arg {
    BufferRange range;
    bool written = false;
    Via via = Via::storage;
};
inline Arg in(const BufferRange& r) {
    return {r, false};
}
inline Arg out(const BufferRange& r) {
    return {r, true};
}
inline Arg in(const Tensor& t) {
    return {t.memory, false};
}
inline Arg out(const Tensor& t) {
    return {t.memory, true};
}

inline Arg in(const Tensor& t, Via via) {
    return {t.memory, false, via};
}
inline Arg in(const BufferRange& r, Via via) {
    return {r, false, via};
}

constexpr std::uint32_t kMaxBindings = 8;  // storage buffers, bindings 0-7
constexpr std::uint32_t kTexelVec4Binding = 8, kTexelUvec4Binding = 12;
constexpr std::uint32_t kAllBindings = 14;
constexpr std::uint32_t kMaxPushConstantBytes = 128;

// Records a sequence of dispatches and copies into one command buffer, inserting a
// barrier only where an argument overlaps memory written since the last barrier (or a
// write overlaps memory read since then). Submit it with Context::submit().
class Recorder {
  public:
    explicit Recorder(Context& context);
    Recorder(Recorder&&) noexcept;
    Recorder& operator=(Recorder&&) noexcept;
    ~Recorder();

    Context& context() const;

    // Pipeline for a shader variant; spec[i] fills specialization constant id i.
    const Pipeline& pipeline(std::string_view shader,
                             std::initializer_list<std::uint32_t> spec = {});

    // `label` names the op in PRISM_PROFILE tables; push constants are copied.
    void dispatch(const Pipeline& pipeline, std::initializer_list<Arg> args,
                  std::span<const std::byte> push_constants, std::array<std::uint32_t, 3> groups,
                  std::string_view label);

    template <typename Push>
    void dispatch(const Pipeline& pipeline, std::initializer_list<Arg> args, const Push& push,
                  std::array<std::uint32_t, 3> groups, std::string_view label) {
        static_assert(std::is_trivially_copyable_v<Push>);
        static_assert(sizeof(Push) <= kMaxPushConstantBytes);
        dispatch(pipeline, args, std::as_bytes(std::span(&push, 1)), groups, label);
    }

    void copy(const BufferRange& src, const BufferRange& dst);
    void fill_zero(const BufferRange& dst);

    std::uint32_t dispatch_count() const;
    std::uint32_t barrier_count() const;

    struct Impl;
    Impl& impl() { return *impl_; }

  private:
    std::unique_ptr<Impl> impl_;
};

// Splits `total` workgroups over x and y so that neither exceeds the device limit;
// shaders recover the flat index as gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x
// and must ignore indices >= total.
std::array<std::uint32_t, 3> spread_groups(const Context& context, std::uint64_t total);

}  // namespace prism::gpu
