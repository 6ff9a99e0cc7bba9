// The rotation of one RoPE pair, shared by rope.comp and attention_inputs.comp so that both
// rotate bit for bit alike. The includer declares `positions[]` and `freq_factors[]`.

const float kTwoPiHi = 6.28318548202514648;      // float(2 pi)
const float kTwoPiLo = -1.7484555314695172e-07;  // 2 pi - float(2 pi)

// sin/cos are only accurate near [-pi, pi] on many GPUs; angles reach thousands of radians.
vec2 cos_sin(float theta) {
    const float k = round(theta * 0.159154943091895336);
    float r = fma(-k, kTwoPiHi, theta);
    r = fma(-k, kTwoPiLo, r);
    return vec2(cos(r), sin(r));
}

struct RopeAngle {
    uvec4 sections;
    uint n_rot;
    uint n_tokens;
    uint pos_first;
    uint ff_first;
    float log2_base;
    float freq_scale;
    float ext_factor;
    float mscale;
    float corr_low;
    float corr_high;
};

// cos and sin (times mscale) of rotated pair i of `token`; MODE as in rope.comp.
vec2 rope_cos_sin(RopeAngle a, uint mode, bool freq_factors_bound, uint i, uint token) {
    float pos;
    uint exponent = i;
    if (mode <= 1) {
        pos = float(positions[a.pos_first + token]);
    } else {
        const uvec4 s = a.sections;
        const uint sector = i % (s.x + s.y + s.z + s.w);
        uint plane = 3, start = s.x + s.y + s.z;
        if (sector < s.x) {
            plane = 0;
            start = 0;
        } else if (sector < s.x + s.y) {
            plane = 1;
            start = s.x;
        } else if (sector < s.x + s.y + s.z) {
            plane = 2;
            start = s.x + s.y;
        }
        pos = float(positions[a.pos_first + plane * a.n_tokens + token]);
        if (mode == 3) exponent = sector - start;
    }

    float theta = pos * exp2(-2.0 * float(exponent) / float(a.n_rot) * a.log2_base);
    if (freq_factors_bound) theta /= freq_factors[a.ff_first + i];
    float mix = 0.0;
    if (a.ext_factor != 0.0) {
        const float y = (float(i) - a.corr_low) / max(0.001, a.corr_high - a.corr_low);
        mix = (1.0 - clamp(y, 0.0, 1.0)) * a.ext_factor;
    }
    theta *= a.freq_scale * (1.0 - mix) + mix;
    return cos_sin(theta) * a.mscale;
}

// The two dims of pair i of a head and whether they rotate (dims past n_rot are copied).
bool rope_pair(uint mode, uint n_rot, uint i, out uint i0, out uint i1) {
    if (mode == 0) {
        i0 = 2 * i;
        i1 = 2 * i + 1;
        return 2 * i < n_rot;
    }
    if (mode == 3) {
        i0 = i;
        i1 = i + n_rot;
        return true;
    }
    const bool rotated = i < n_rot / 2;
    i0 = rotated ? i : 2 * i;
    i1 = rotated ? i + n_rot / 2 : 2 * i + 1;
    return rotated;
}
