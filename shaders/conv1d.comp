#version 450
// conv1d over time as a GEMM: output channel co at output step t is the dot product of weight
// row co ([K, C_in] flattened, tap fastest) with the input window starting at t*stride - pad;
// taps that fall in the padding read zero.
#extension GL_GOOGLE_include_directive : require

layout(push_constant) uniform Push {
    uint M;     // C_out
    uint N;     // T_out
    uint K;     // taps * C_in
    uint woff, boff, ooff, xoff;
    uint taps;
    uint stride;
    uint pad;
    uint t_in;
    uint xs_c;  // input stride between channels, in elements
    uint xs_t;  // input stride between time steps, in elements
} p;

#include "conv_gemm.glsl"

float load_x(uint k, uint n) {
    const uint tap = k % p.taps;
    const uint c = k / p.taps;
    // Signed: the first output steps reach into the left padding.
    const int t = int(n * p.stride + tap) - int(p.pad);
    if (t < 0 || uint(t) >= p.t_in) return 0.0;
    return x_in[p.xoff + c * p.xs_c + uint(t) * p.xs_t];
}

void main() { gemm_main(); }
