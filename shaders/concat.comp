#version 450
// out = a followed by b along dimension p.dim; one invocation per output element. ELEM is the
// element type (float or float16_t): values are only moved, never computed with.
#extension GL_GOOGLE_include_directive : require
#extension GL_EXT_shader_16bit_storage : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer A { ELEM a[]; };
layout(std430, binding = 1) readonly buffer B { ELEM b[]; };
layout(std430, binding = 2) writeonly buffer D { ELEM d[]; };

layout(push_constant) uniform Push {
    uvec4 ne;  // output shape
    uvec4 as;  // strides in elements
    uvec4 bs;
    uvec4 ds;
    uint aoff, boff, doff;
    uint dim;    // 0..3
    uint split;  // a's extent along dim: coordinates below it come from a
} p;

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    uvec4 c = unflatten(i, p.ne);
    const uint dst = p.doff + c.x * p.ds.x + c.y * p.ds.y + c.z * p.ds.z + c.w * p.ds.w;
    if (c[p.dim] < p.split) {
        d[dst] = a[p.aoff + c.x * p.as.x + c.y * p.as.y + c.z * p.as.z + c.w * p.as.w];
    } else {
        c[p.dim] -= p.split;
        d[dst] = b[p.boff + c.x * p.bs.x + c.y * p.bs.y + c.z * p.bs.z + c.w * p.bs.w];
    }
}
