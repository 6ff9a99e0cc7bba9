#version 450
// out = a * s + b elementwise with two roundings. `precise` forbids fusing them into an fma
// (Vulkan lets a driver fuse or not), so every device and the CPU reference agree bit for bit.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "tensor_index.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) writeonly buffer D { float d[]; };

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 as;
    uvec4 ds;
    uint aoff;
    uint doff;
    float s;
    float b;
} p;

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    const uvec4 c = unflatten(i, p.ne);
    precise float r = a[p.aoff + offset_of(c, p.as)] * p.s;
    r = r + p.b;
    d[p.doff + offset_of(c, p.ds)] = r;
}
