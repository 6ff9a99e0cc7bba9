#version 450
// out = activate(gate) * up elementwise, any strides.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"
#include "tensor_index.glsl"
#include "activation.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer G { float g[]; };
layout(std430, binding = 1) readonly buffer U { float u[]; };
layout(std430, binding = 2) writeonly buffer D { float d[]; };

layout(push_constant) uniform Push {
    uvec4 ne;
    uvec4 gs;
    uvec4 us;
    uvec4 ds;
    uint goff;
    uint uoff;
    uint doff;
} p;

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    const uvec4 c = unflatten(i, p.ne);
    d[p.doff + offset_of(c, p.ds)] = activate(g[p.goff + offset_of(c, p.gs)]) * u[p.uoff + offset_of(c, p.us)];
}
