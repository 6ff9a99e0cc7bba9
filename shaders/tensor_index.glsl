// Element offset of coordinate c in a tensor with element strides s.
uint offset_of(uvec4 c, uvec4 s) {
    return c.x * s.x + c.y * s.y + c.z * s.z + c.w * s.w;
}

// Coordinates (0, i1, i2, i3) of row `row` of a tensor of shape ne (rows = all but dim 0).
uvec4 row_coord(uint row, uvec4 ne) {
    const uint i1 = row % ne.y;
    row /= ne.y;
    return uvec4(0, i1, row % ne.z, row / ne.z);
}
