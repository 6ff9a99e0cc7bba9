#version 450
// Average pooling over dims 1 and 2 of a [C, X, Y, B] tensor (the token axes of token-major
// activations): out(c, ox, oy, b) = mean of in(c, ox*sx + i, oy*sy + j, b), i < kx, j < ky.
// One invocation per output element; channel fastest, so neighbours read neighbouring words.
#extension GL_GOOGLE_include_directive : require
#include "common.glsl"

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer In { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float y[]; };

layout(push_constant) uniform Push {
    uvec4 ne;   // output shape
    uvec4 xs;   // input strides in elements
    uvec4 ys;   // output strides in elements
    uint xoff, yoff;
    uint kx, ky, sx, sy;
} p;

void main() {
    const uint i = flat_group_id() * gl_WorkGroupSize.x + gl_LocalInvocationID.x;
    if (i >= p.ne.x * p.ne.y * p.ne.z * p.ne.w) return;
    const uvec4 c = unflatten(i, p.ne);
    const uint base = p.xoff + c.x * p.xs.x + c.y * p.sx * p.xs.y + c.z * p.sy * p.xs.z + c.w * p.xs.w;
    float sum = 0.0;
    for (uint j = 0; j < p.ky; ++j)
        for (uint k = 0; k < p.kx; ++k) sum += x[base + k * p.xs.y + j * p.xs.z];
    y[p.yoff + c.x * p.ys.x + c.y * p.ys.y + c.z * p.ys.z + c.w * p.ys.w] = sum / float(p.kx * p.ky);
}
