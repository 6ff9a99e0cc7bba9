// Shared by the attention kernels: bindings, push constants and the visible key range.
// K and V are f16 read as f16vec4 (host checks 8-byte aligned rows); strides for K and V are
// in units of 4 halves, for Q and the output in floats.
#extension GL_EXT_shader_16bit_storage : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require

layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { f16vec4 k[]; };
layout(std430, binding = 2) readonly buffer V { f16vec4 v[]; };

layout(push_constant) uniform Push {
    uint q_first;
    uint q_token_stride;
    uint q_head_stride;
    uint k_first;
    uint k_token_stride;
    uint k_head_stride;
    uint v_first;
    uint v_token_stride;
    uint v_head_stride;
    uint o_first;  // split decode: where the packed partials start in scratch
    uint o_head_stride;
    uint o_token_stride;
    uint n_q;
    uint n_kv;
    uint n_heads;
    uint group;  // query heads per kv head
    int q_pos0;
    int window;
    uint mask;  // 0 none, 1 causal, 2 sliding window
    uint kv_per_split;
    float scale;
    float softcap;  // 0: off
    int span_begin;  // non-causal span [span_begin, span_end); empty when equal
    int span_end;
    // A ring cache (sliding-window layers): key row j lives in slot j % ring. 0xffffffff
    // when the cache is not a ring, so that the same code leaves rows where they are.
    uint ring;
} p;

// Keys [lo, hi) that the query at absolute position `pos` sees: every mask kind Prism has
// is one contiguous range, so kernels skip what lies outside instead of masking it.
ivec2 visible_keys(int pos) {
    int lo = 0, hi = int(p.n_kv);
    if (p.mask != 0) {
        // Inside a non-causal span the causal limit moves to the span's end; the range stays
        // contiguous and its end never decreases with pos, which the tiled kernel relies on.
        const bool in_span = pos >= p.span_begin && pos < p.span_end;
        hi = min(hi, in_span ? p.span_end : pos + 1);
    }
    if (p.mask == 2) lo = max(lo, pos - p.window + 1);
    return ivec2(lo, max(hi, lo));
}

// The slot of key row j >= lo, given lo's slot: the rows one query or one workgroup sees span
// at most `ring` rows, so they wrap at most once and no key pays for a division.
uint key_slot(uint lo_slot, int lo, int j) {
    const uint s = lo_slot + uint(j - lo);
    return s >= p.ring ? s - p.ring : s;
}

float cap_logit(float s) {
    return p.softcap != 0.0 ? p.softcap * tanh(s / p.softcap) : s;
}
