#include "models/reference_decoder.hpp"

#include <cmath>
#include <limits>
#include <numeric>
#include <string>

#include "prism/half.hpp"
#include "prism/ops/binary.hpp"
#include "prism/ops/gated.hpp"
#include "prism/ops/get_rows.hpp"
#include "prism/ops/matmul.hpp"
#include "prism/ops/norm.hpp"
#include "prism/ops/rope.hpp"
#include "prism/quant.hpp"

namespace prism::test {
namespace {

using ops::HostTensor;

HostTensor vector_of(const gguf::File& f, const std::string& name) {
    const auto& info = f.tensor(name);
    HostTensor t({static_cast<std::int64_t>(info.ne[0]), 1, 1, 1});
    t.data = dequantize(info.type, info.data, info.n_elements());
    return t;
}

HostTensor linear(const gguf::File& f, const std::string& name, const HostTensor& x) {
    const auto& info = f.tensor(name);
    return ops::cpu::matmul(info.type, info.data, static_cast<std::int64_t>(info.ne[0]),
                            static_cast<std::int64_t>(info.ne[1]), x);
}

HostTensor reshaped(HostTensor t, std::array<std::int64_t, 4> ne) {
    t.ne = ne;
    return t;
}

}  // namespace

std::vector<float> reference_forward(const gguf::File& f, std::span<const std::int32_t> tokens) {
    const models::DecoderHParams h = models::read_hparams(f);
    const auto T = static_cast<std::int64_t>(tokens.size());
    const auto& embd = f.tensor("token_embd.weight");
    const auto n_vocab = static_cast<std::int64_t>(embd.ne[1]);
    HostTensor x = ops::cpu::get_rows(embd.type, embd.data, h.n_embd, n_vocab, tokens);

    std::vector<std::int32_t> positions(tokens.size());
    std::iota(positions.begin(), positions.end(), 0);
    ops::RopeParams rope;
    rope.mode = ops::RopeMode::normal;
    rope.n_rot = static_cast<std::int32_t>(h.n_rot);
    rope.freq_base = h.rope_freq_base;
    rope.freq_scale = h.rope_freq_scale;
    std::vector<float> freq_factors;
    if (f.find_tensor("rope_freqs.weight")) freq_factors = vector_of(f, "rope_freqs.weight").data;

    const std::int64_t hd = h.head_dim, group = h.n_head / h.n_head_kv;
    for (std::int64_t il = 0; il < h.n_layer; ++il) {
        const std::string p = "blk." + std::to_string(il) + ".";
        const HostTensor attn_norm = vector_of(f, p + "attn_norm.weight");
        HostTensor xn = ops::cpu::rms_norm(x, h.rms_eps, &attn_norm);
        HostTensor q = reshaped(linear(f, p + "attn_q.weight", xn), {hd, h.n_head, T, 1});
        HostTensor k = reshaped(linear(f, p + "attn_k.weight", xn), {hd, h.n_head_kv, T, 1});
        HostTensor v = reshaped(linear(f, p + "attn_v.weight", xn), {hd, h.n_head_kv, T, 1});
        q = ops::cpu::rope(q, positions, rope, freq_factors);
        k = ops::cpu::rope(k, positions, rope, freq_factors);
        for (auto* t : {&k, &v}) {
            for (auto& e : t->data) e = half_to_float(float_to_half(e));
        }

        HostTensor attn({hd, h.n_head, T, 1});
        const double scale = 1.0 / std::sqrt(static_cast<double>(hd));
        std::vector<double> s(static_cast<std::size_t>(T));
        for (std::int64_t t = 0; t < T; ++t) {
            for (std::int64_t head = 0; head < h.n_head; ++head) {
                const std::int64_t kh = head / group;
                double max = -std::numeric_limits<double>::infinity(), sum = 0;
                for (std::int64_t j = 0; j <= t; ++j) {
                    double dot = 0;
                    for (std::int64_t d = 0; d < hd; ++d) dot += q.at(d, head, t) * k.at(d, kh, j);
                    s[static_cast<std::size_t>(j)] = dot * scale;
                    max = std::max(max, dot * scale);
                }
                for (std::int64_t j = 0; j <= t; ++j) {
                    s[static_cast<std::size_t>(j)] = std::exp(s[static_cast<std::size_t>(j)] - max);
                    sum += s[static_cast<std::size_t>(j)];
                }
                for (std::int64_t d = 0; d < hd; ++d) {
                    double acc = 0;
                    for (std::int64_t j = 0; j <= t; ++j)
                        acc += s[static_cast<std::size_t>(j)] * v.at(d, kh, j);
                    attn.at(d, head, t) = static_cast<float>(acc / sum);
                }
            }
        }
        x = ops::cpu::add(
            x, linear(f, p + "attn_output.weight", reshaped(attn, {hd * h.n_head, T, 1, 1})));

        const HostTensor ffn_norm = vector_of(f, p + "ffn_norm.weight");
        xn = ops::cpu::rms_norm(x, h.rms_eps, &ffn_norm);
        const HostTensor act =
            ops::cpu::gated(ops::Activation::silu, linear(f, p + "ffn_gate.weight", xn),
                            linear(f, p + "ffn_up.weight", xn));
        x = ops::cpu::add(x, linear(f, p + "ffn_down.weight", act));
    }
    const HostTensor out_norm = vector_of(f, "output_norm.weight");
    const HostTensor xn = ops::cpu::rms_norm(x, h.rms_eps, &out_norm);
    const char* head = f.find_tensor("output.weight") ? "output.weight" : "token_embd.weight";
    return linear(f, head, xn).data;
}

LogitGap logit_gap(std::span<const float> expected, std::span<const float> actual) {
    LogitGap g;
    for (std::size_t i = 0; i < expected.size() && i < actual.size(); ++i) {
        g.max_abs_diff = std::max(g.max_abs_diff, std::abs(expected[i] - actual[i]));
        g.max_abs = std::max(g.max_abs, std::abs(expected[i]));
    }
    if (expected.size() != actual.size()) g.max_abs_diff = std::numeric_limits<float>::infinity();
    return g;
}

}  // namespace prism::test
