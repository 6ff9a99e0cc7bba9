#version 450
// Patch embedding (conv2d with kernel == stride, no padding) as a GEMM: output channel d of
// patch n is the dot product of weight row d ([P, P, C] flattened, kx fastest) with the
// P x P x C pixels under the patch, gathered straight from the planar image.
#extension GL_GOOGLE_include_directive : require

layout(push_constant) uniform Push {
    uvec4 xs;      // image strides in elements (x, y, channel, image); first, for std430 alignment
    uint M;        // output channels D
    uint N;        // patches over all images
    uint K;        // P * P * C
    uint woff, boff, ooff, xoff;
    uint psize;    // P
    uint grid_w;   // patches per image row (W / P)
    uint per_image;  // patches per image
} p;

#include "conv_gemm.glsl"

float load_x(uint k, uint n) {
    const uint kx = k % p.psize;
    const uint ky = (k / p.psize) % p.psize;
    const uint c = k / (p.psize * p.psize);
    const uint img = n / p.per_image;
    const uint t = n % p.per_image;
    const uint x = (t % p.grid_w) * p.psize + kx;
    const uint y = (t / p.grid_w) * p.psize + ky;
    return x_in[p.xoff + x * p.xs.x + y * p.xs.y + c * p.xs.z + img * p.xs.w];
}

void main() { gemm_main(); }
