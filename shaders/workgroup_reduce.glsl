// Sum and max over one workgroup whose size is a power of two. With SUBGROUP_REDUCE each
// subgroup reduces in registers first; without it (devices lacking subgroup arithmetic) a
// shared-memory tree does all the work. Every invocation gets the result; all must call.
// Include it after `layout(local_size_x_id = 0) in;`: before that declaration glslang takes
// gl_WorkGroupSize as the default (1, 1, 1), which silently shrinks the scratch array and the tree.
#ifdef SUBGROUP_REDUCE
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

shared float reduce_scratch[gl_WorkGroupSize.x];

#ifdef SUBGROUP_REDUCE
float workgroup_sum(float v) {
    v = subgroupAdd(v);
    if (subgroupElect()) reduce_scratch[gl_SubgroupID] = v;
    barrier();
    // Every invocation adds the partials in the same order, so all get the same bits.
    float total = 0.0;
    for (uint i = 0; i < gl_NumSubgroups; ++i) total += reduce_scratch[i];
    barrier();
    return total;
}

float workgroup_max(float v) {
    v = subgroupMax(v);
    if (subgroupElect()) reduce_scratch[gl_SubgroupID] = v;
    barrier();
    float m = reduce_scratch[0];
    for (uint i = 1; i < gl_NumSubgroups; ++i) m = max(m, reduce_scratch[i]);
    barrier();
    return m;
}
#else
float workgroup_sum(float v) {
    const uint t = gl_LocalInvocationID.x;
    reduce_scratch[t] = v;
    barrier();
    for (uint half_size = gl_WorkGroupSize.x / 2; half_size > 0; half_size /= 2) {
        if (t < half_size) reduce_scratch[t] += reduce_scratch[t + half_size];
        barrier();
    }
    const float total = reduce_scratch[0];
    barrier();
    return total;
}

float workgroup_max(float v) {
    const uint t = gl_LocalInvocationID.x;
    reduce_scratch[t] = v;
    barrier();
    for (uint half_size = gl_WorkGroupSize.x / 2; half_size > 0; half_size /= 2) {
        if (t < half_size) reduce_scratch[t] = max(reduce_scratch[t], reduce_scratch[t + half_size]);
        barrier();
    }
    const float m = reduce_scratch[0];
    barrier();
    return m;
}
#endif
