// Shared helpers for Prism compute shaders.

// Flat workgroup index for dispatches spread over x and y (gpu::spread_groups).
uint flat_group_id() {
    return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
}

// Splits a flat element index into four coordinates, dim 0 fastest.
uvec4 unflatten(uint i, uvec4 ne) {
    uint i0 = i % ne.x;
    i /= ne.x;
    uint i1 = i % ne.y;
    i /= ne.y;
    uint i2 = i % ne.z;
    return uvec4(i0, i1, i2, i / ne.z);
}
