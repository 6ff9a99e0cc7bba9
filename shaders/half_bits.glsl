// IEEE binary16 <-> binary32 on raw bits, so that rounding does not depend on the device's
// conversion mode: the same algorithm as prism::float_to_half / half_to_float (engine/core/half.cpp).

uint half_bits_from_float_bits(uint f) {
    const uint sign = (f >> 16) & 0x8000u;
    const uint a = f & 0x7FFFFFFFu;
    if (a >= 0x7F800000u) return sign | 0x7C00u | (a > 0x7F800000u ? 0x200u : 0u);  // inf, NaN
    if (a >= 0x477FF000u) return sign | 0x7C00u;  // rounds past the largest half: inf
    if (a < 0x38800000u) {  // subnormal half or zero
        if (a < 0x33000000u) return sign;
        const uint mant = (a & 0x7FFFFFu) | 0x800000u;
        const uint shift = 126u - (a >> 23);
        const uint kept = mant >> shift;
        const uint rem = mant & ((1u << shift) - 1u);
        const uint halfway = 1u << (shift - 1u);
        return sign | (kept + ((rem > halfway || (rem == halfway && (kept & 1u) != 0u)) ? 1u : 0u));
    }
    const uint r = (a - 0x38000000u) >> 13;
    const uint rem = a & 0x1FFFu;
    return sign | (r + ((rem > 0x1000u || (rem == 0x1000u && (r & 1u) != 0u)) ? 1u : 0u));
}

uint float_bits_from_half_bits(uint h) {
    const uint sign = (h & 0x8000u) << 16;
    const uint e = (h >> 10) & 0x1Fu;
    uint mant = h & 0x3FFu;
    if (e == 0u) {
        if (mant == 0u) return sign;
        // Subnormal half: shift the leading one into the implicit position.
        const uint lead = uint(findMSB(mant));  // 0..9
        mant = (mant << (10u - lead)) & 0x3FFu;
        return sign | ((lead + 103u) << 23) | (mant << 13);
    }
    if (e == 0x1Fu) return sign | 0x7F800000u | (mant << 13);
    return sign | ((e + 112u) << 23) | (mant << 13);
}
