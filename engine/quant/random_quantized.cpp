#include <algorithm>
#include <cstring>
#include <optional>

#include "prism/half.hpp"
#include "prism/quant.hpp"
#include "quant/type_checks.hpp"

namespace prism {
namespace {

// SplitMix64: tiny, and unlike the <random> distributions it yields the same numbers with
// every standard library, so seeded test weights are the same everywhere.
class SplitMix64 {
  public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [lo, hi).
    float uniform(float lo, float hi) {
        const float unit = static_cast<float>(next() >> 40) * 0x1.0p-24f;
        return lo + (hi - lo) * unit;
    }
    float sign() { return (next() >> 63) ? -1.0f : 1.0f; }

  private:
    std::uint64_t state_;
};

// Where a block keeps its fp16 fields (offsets from ggml-common.h's block structs) and how
// large the quantities they scale can get: `d` multiplies quants whose |quant x sub-scale|
// reaches max_product; `dmin` multiplies mins up to max_min; `m` is added as is.
struct ScaleLayout {
    std::size_t d;
    std::optional<std::size_t> dmin;
    std::optional<std::size_t> m;
    float max_product;
    float max_min;
};

ScaleLayout scale_layout(TensorType type) {
    switch (type) {
        case TensorType::Q4_0:
            return {0, {}, {}, 8, 0};
        case TensorType::Q4_1:
            return {0, {}, 2, 15, 0};
        case TensorType::Q5_0:
            return {0, {}, {}, 16, 0};
        case TensorType::Q5_1:
            return {0, {}, 2, 31, 0};
        case TensorType::Q8_0:
            return {0, {}, {}, 128, 0};
        case TensorType::IQ4_NL:
            return {0, {}, {}, 127, 0};
        case TensorType::Q2_K:
            return {80, 82, {}, 15 * 3, 15};
        case TensorType::Q3_K:
            return {108, {}, {}, 32 * 4, 0};
        case TensorType::Q4_K:
            return {0, 2, {}, 63 * 15, 63};
        case TensorType::Q5_K:
            return {0, 2, {}, 63 * 31, 63};
        case TensorType::Q6_K:
            return {208, {}, {}, 128 * 32, 0};
        default:
            break;
    }
    throw Error("random_quantized: no scale layout for " + quant::describe(tensor_type_info(type)));
}

void put_half(std::uint8_t* p, float value) {
    const std::uint16_t bits = float_to_half(value);
    std::memcpy(p, &bits, sizeof bits);
}

// A magnitude in [max(hi / 8, 1e-4), hi]: 1e-4 keeps it a normal fp16 number, since some GPUs
// flush fp16 subnormals to zero when unpacking.
float scale_magnitude(SplitMix64& rng, float hi) {
    return rng.uniform(std::max(hi / 8.0f, 1e-4f), hi);
}

void fill_plain(TensorType type, std::size_t elements, SplitMix64& rng,
                std::vector<std::uint8_t>& out) {
    for (std::size_t i = 0; i < elements; ++i) {
        const float value = rng.uniform(-1.0f, 1.0f);
        if (type == TensorType::F32) {
            std::memcpy(out.data() + 4 * i, &value, 4);
        } else {
            const std::uint16_t bits =
                type == TensorType::F16 ? float_to_half(value) : float_to_bf16(value);
            std::memcpy(out.data() + 2 * i, &bits, 2);
        }
    }
}

}  // namespace

std::vector<std::uint8_t> random_quantized(TensorType type, std::size_t elements,
                                           std::uint32_t seed) {
    const TensorTypeInfo& info = quant::computable_info(type, "random_quantized");
    const std::size_t blocks = quant::whole_blocks(info, elements, "random_quantized");
    std::vector<std::uint8_t> out(blocks * info.block_bytes);
    // The type joins the seed so that two types made from one seed are not related.
    SplitMix64 rng(static_cast<std::uint64_t>(seed) << 32 | static_cast<std::uint32_t>(type));
    if (!info.quantized) {
        fill_plain(type, elements, rng, out);
        return out;
    }

    const ScaleLayout layout = scale_layout(type);
    for (std::size_t b = 0; b < blocks; ++b) {
        std::uint8_t* block = out.data() + b * info.block_bytes;
        for (std::size_t i = 0; i < info.block_bytes; i += 8) {
            const std::uint64_t bits = rng.next();
            std::memcpy(block + i, &bits, std::min<std::size_t>(8, info.block_bytes - i));
        }
        put_half(block + layout.d, rng.sign() * scale_magnitude(rng, 2.0f / layout.max_product));
        if (layout.dmin)
            put_half(block + *layout.dmin, scale_magnitude(rng, 1.0f / layout.max_min));
        if (layout.m) put_half(block + *layout.m, rng.uniform(-1.0f, 1.0f));
    }
    return out;
}

}  // namespace prism
