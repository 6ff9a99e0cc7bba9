// Activation functions shared by unary.comp and gated.comp. ACT_SILU, ACT_GELU, ACT_GELU_ERF
// or ACT_GELU_QUICK picks the one `activate` computes.

float sigmoid_times(float x, float k) {
    // exp overflows to +inf for k x < -88 and x / inf is the correct limit (-0).
    return x / (1.0 + exp(-k * x));
}

float gelu_tanh(float x) {
    const float sqrt_2_over_pi = 0.79788456080286536;
    const float u = sqrt_2_over_pi * x * (1.0 + 0.044715 * x * x);
    // tanh(10) rounds to 1 in f32; clamping keeps tanh's exp-based form away from inf / inf.
    return 0.5 * x * (1.0 + tanh(clamp(u, -10.0, 10.0)));
}

// erfc(z) for z >= 0 by Abramowitz & Stegun 7.1.26 (|error| <= 1.5e-7). Computing erfc
// directly, not 1 - erf, keeps the negative tail of gelu free of cancellation.
float erfc_nonnegative(float z) {
    const float t = 1.0 / (1.0 + 0.3275911 * z);
    const float poly =
        t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return poly * exp(-z * z);
}

float gelu_erf(float x) {
    const float c = erfc_nonnegative(abs(x) * 0.70710678118654752);
    // 1 + erf(x / sqrt 2) is 2 - erfc(|x| / sqrt 2) for x >= 0 and erfc(|x| / sqrt 2) below.
    return x >= 0.0 ? x - 0.5 * x * c : 0.5 * x * c;
}

float activate(float x) {
#if defined(ACT_SILU)
    return sigmoid_times(x, 1.0);
#elif defined(ACT_GELU)
    return gelu_tanh(x);
#elif defined(ACT_GELU_ERF)
    return gelu_erf(x);
#elif defined(ACT_GELU_QUICK)
    return sigmoid_times(x, 1.702);
#else
#error "activation.glsl needs ACT_SILU, ACT_GELU, ACT_GELU_ERF or ACT_GELU_QUICK"
#endif
}
