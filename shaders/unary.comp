#version 450
// out = activate(x) elementwise, any strides.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "tensor_index.glsl"
#include "activation.glsl"

layout(local_size_x_id = 0) in;
layout(constant_id = 1) const bool TEXELS = false;  // x as texels (texel_inputs.glsl)
// x and out contiguous: the flat index is the offset, with no division (CPU devices divide
// lane by lane).
layout(constant_id = 2) const bool DENSE = false;

layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer D { float d[]; };
#include "texel_inputs.glsl"

float ldx(uint i) { return TEXELS ? texel_f32_0(i) : x[i]; }

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 xs;
    uvec4 ds;
    uint xoff;
    uint doff;
} p;

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    if (DENSE) {
        d[p.doff + i] = activate(ldx(p.xoff + i));
        return;
    }
    const uvec4 c = unflatten(i, p.ne);
    d[p.doff + offset_of(c, p.ds)] = activate(ldx(p.xoff + offset_of(c, p.xs)));
}
