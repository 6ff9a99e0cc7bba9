// Read-only f32 inputs of elementwise and row kernels, bound as RGBA32F texels on CPU devices
// (ops::inputs_as_texels: bindings 8-11 in argument order), where a texel load is a gather and
// a storage load a loop over the lanes. The including shader declares the bool TEXELS
// (a specialization constant) and picks between these and its storage buffers.
layout(binding = 8) uniform samplerBuffer texel_in0;
layout(binding = 9) uniform samplerBuffer texel_in1;
layout(binding = 10) uniform samplerBuffer texel_in2;

float texel_f32_0(uint i) { return texelFetch(texel_in0, int(i >> 2))[i & 3u]; }
float texel_f32_1(uint i) { return texelFetch(texel_in1, int(i >> 2))[i & 3u]; }
float texel_f32_2(uint i) { return texelFetch(texel_in2, int(i >> 2))[i & 3u]; }
