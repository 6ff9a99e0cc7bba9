#version 450
// Second pass of split decoding: combines the per-split (max, sum, accumulator) partials of
// one (head, query) into the normalised output. One workgroup per (head, query).
#extension GL_GOOGLE_include_directive : require

layout(local_size_x_id = 0) in;

layout(std430, binding = 0) readonly buffer Partials { float partials[]; };
layout(std430, binding = 1) writeonly buffer O { float o[]; };

layout(push_constant) uniform Push {
    uint head_dim;
    uint n_heads;
    uint splits;
    uint partials_first;
    uint o_first;
    uint o_head_stride;
    uint o_token_stride;
} p;

void main() {
    const uint head = gl_WorkGroupID.x;
    const uint qi = gl_WorkGroupID.y;
    const uint stride = p.head_dim + 2;
    const uint pb = p.partials_first + (qi * p.n_heads + head) * p.splits * stride;
    float m = -1.0 / 0.0;
    for (uint s = 0; s < p.splits; ++s) m = max(m, partials[pb + s * stride]);
    float l = 0.0;
    for (uint s = 0; s < p.splits; ++s) {
        const float ms = partials[pb + s * stride];
        // A split that saw no key has max -inf and contributes nothing.
        if (ms > -1.0 / 0.0) l += exp(ms - m) * partials[pb + s * stride + 1];
    }
    const float inv_l = l > 0.0 ? 1.0 / l : 0.0;
    const uint ob = p.o_first + head * p.o_head_stride + qi * p.o_token_stride;
    for (uint d = gl_LocalInvocationID.x; d < p.head_dim; d += gl_WorkGroupSize.x) {
        float total = 0.0;
        for (uint s = 0; s < p.splits; ++s) {
            const float ms = partials[pb + s * stride];
            if (ms > -1.0 / 0.0) total += exp(ms - m) * partials[pb + s * stride + 2 + d];
        }
        o[ob + d] = total * inv_l;
    }
}
