#include <string>

#include "prism/error.hpp"
#include "prism/quant.hpp"
#include "quant/block_decoders.hpp"
#include "quant/type_checks.hpp"

namespace prism {

void dequantize(TensorType type, std::span<const std::byte> src, std::span<float> dst) {
    const TensorTypeInfo& info = quant::computable_info(type, "dequantize");
    const std::size_t blocks = quant::whole_blocks(info, dst.size(), "dequantize");
    const std::size_t expected = blocks * info.block_bytes;
    if (src.size() != expected) {
        throw Error("dequantize " + quant::describe(info) + ": " + std::to_string(dst.size()) +
                    " elements need " + std::to_string(expected) + " bytes of blocks, got " +
                    std::to_string(src.size()));
    }
    if (dst.empty()) return;

    const std::byte* in = src.data();
    float* out = dst.data();
    switch (type) {
        case TensorType::F32:
            return quant::decode_f32(in, dst.size(), out);
        case TensorType::F16:
            return quant::decode_f16(in, dst.size(), out);
        case TensorType::BF16:
            return quant::decode_bf16(in, dst.size(), out);
        case TensorType::Q4_0:
            return quant::decode_q4_0(in, blocks, out);
        case TensorType::Q4_1:
            return quant::decode_q4_1(in, blocks, out);
        case TensorType::Q5_0:
            return quant::decode_q5_0(in, blocks, out);
        case TensorType::Q5_1:
            return quant::decode_q5_1(in, blocks, out);
        case TensorType::Q8_0:
            return quant::decode_q8_0(in, blocks, out);
        case TensorType::IQ4_NL:
            return quant::decode_iq4_nl(in, blocks, out);
        case TensorType::Q2_K:
            return quant::decode_q2_k(in, blocks, out);
        case TensorType::Q3_K:
            return quant::decode_q3_k(in, blocks, out);
        case TensorType::Q4_K:
            return quant::decode_q4_k(in, blocks, out);
        case TensorType::Q5_K:
            return quant::decode_q5_k(in, blocks, out);
        case TensorType::Q6_K:
            return quant::decode_q6_k(in, blocks, out);
        default:
            break;
    }
    // Only reached if a type is marked computable without a decoder here.
    throw Error("dequantize " + quant::describe(info) + ": no decoder for this type");
}

}  // namespace prism
