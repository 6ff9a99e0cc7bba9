// Reading a Silero VAD file. Nothing read from the file is trusted: counts are bounded before
// anything is reserved, every read is checked against the bytes that remain, and the tensors
// must be exactly the fifteen the network needs, each with its shape, once.

#include "vad/silero_weights.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <optional>

#include "prism/error.hpp"
#include "prism/half.hpp"
#include "prism/printable.hpp"

static_assert(std::endian::native == std::endian::little,
              "the Silero VAD reader loads little-endian values with memcpy");

namespace prism::vad {
namespace {

constexpr std::uint32_t kGgmlMagic = 0x67676d6c;  // "ggml" read as a little-endian int32
constexpr std::string_view kModelType = "silero-16k";
constexpr std::int32_t kMaxNameBytes = 256;
constexpr std::int32_t kMaxDims = 4;

struct TensorSpec {
    std::string_view name;
    std::vector<std::int64_t> shape;  // PyTorch's, outermost first, with dimensions of 1 dropped
};

// In the order place() fills SileroWeights, which is also the converter's order.
std::vector<TensorSpec> expected_tensors() {
    static constexpr std::string_view kEncoderNames[kEncoderLayers][2] = {
        {"_model.encoder.0.reparam_conv.weight", "_model.encoder.0.reparam_conv.bias"},
        {"_model.encoder.1.reparam_conv.weight", "_model.encoder.1.reparam_conv.bias"},
        {"_model.encoder.2.reparam_conv.weight", "_model.encoder.2.reparam_conv.bias"},
        {"_model.encoder.3.reparam_conv.weight", "_model.encoder.3.reparam_conv.bias"}};
    std::vector<TensorSpec> specs;
    for (int i = 0; i < kEncoderLayers; ++i) {
        specs.push_back({kEncoderNames[i][0], {kEncoderOut[i], kEncoderIn[i], kConvKernel}});
        specs.push_back({kEncoderNames[i][1], {kEncoderOut[i]}});
    }
    specs.push_back({"_model.decoder.rnn.weight_ih", {kLstmGates, kLstmSize}});
    specs.push_back({"_model.decoder.rnn.weight_hh", {kLstmGates, kLstmSize}});
    specs.push_back({"_model.decoder.rnn.bias_ih", {kLstmGates}});
    specs.push_back({"_model.decoder.rnn.bias_hh", {kLstmGates}});
    specs.push_back({"_model.decoder.decoder.2.weight", {kLstmSize}});
    specs.push_back({"_model.decoder.decoder.2.bias", {}});
    specs.push_back({"_model.stft.forward_basis_buffer", {2 * kFrequencyBins, kFilterLength}});
    return specs;
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i > 0) out += ", ";
        out += std::to_string(shape[i]);
    }
    return out + "]";
}

class Reader {
  public:
    Reader(std::span<const std::uint8_t> bytes, std::string_view name)
        : bytes_(bytes), name_(name) {}

    [[noreturn]] void fail(const std::string& problem) const {
        throw FormatError(name_ + ": " + problem);
    }

    std::size_t offset() const { return offset_; }
    std::size_t remaining() const { return bytes_.size() - offset_; }

    std::int32_t i32(std::string_view what) {
        std::int32_t v = 0;
        std::memcpy(&v, take(4, what).data(), 4);
        return v;
    }

    std::span<const std::uint8_t> take(std::uint64_t count, std::string_view what) {
        if (count > remaining()) {
            fail("truncated: " + std::string(what) + " needs " + std::to_string(count) +
                 " bytes at offset " + std::to_string(offset_) + ", the file has " +
                 std::to_string(remaining()) + " left");
        }
        const auto out = bytes_.subspan(offset_, static_cast<std::size_t>(count));
        offset_ += static_cast<std::size_t>(count);
        return out;
    }

  private:
    std::span<const std::uint8_t> bytes_;
    std::string name_;
    std::size_t offset_ = 0;
};

void read_header(Reader& r, SileroWeights& w) {
    if (r.remaining() >= 4) {
        std::uint32_t magic = 0;
        std::uint8_t head[4];
        std::memcpy(head, r.take(4, "the magic").data(), 4);
        std::memcpy(&magic, head, 4);
        if (std::memcmp(head, "GGUF", 4) == 0)
            r.fail("a GGUF file, not a Silero VAD model (whisper.cpp's ggml-silero-*.bin)");
        if (magic != kGgmlMagic)
            r.fail("not a Silero VAD model: no ggml magic (whisper.cpp's ggml-silero-*.bin)");
    } else {
        r.take(4, "the magic");
    }
    const std::int32_t type_length = r.i32("the model type's length");
    if (type_length != static_cast<std::int32_t>(kModelType.size())) {
        r.fail(
            "a ggml file that is not a Silero VAD model (a Whisper model, perhaps): its "
            "second field is " +
            std::to_string(type_length) + ", not the length of \"silero-16k\"");
    }
    const auto type = r.take(kModelType.size(), "the model type");
    const std::string_view type_text(reinterpret_cast<const char*>(type.data()), type.size());
    if (type_text != kModelType)
        r.fail("model type \"" + printable(type_text) + "\"; Prism reads \"silero-16k\"");
    const std::int32_t major = r.i32("the version");
    const std::int32_t minor = r.i32("the version");
    const std::int32_t patch = r.i32("the version");
    w.version = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    // Silero VAD 5 and 6 share this network; 4 and older were a different one.
    if (major < 5 || major > 6)
        r.fail("Silero VAD version " + w.version + "; Prism runs versions 5 and 6");

    const auto expect = [&r](std::string_view what, std::int32_t want) {
        const std::int32_t got = r.i32(what);
        if (got != want) {
            r.fail(std::string(what) + " is " + std::to_string(got) + ", expected " +
                   std::to_string(want) + " (an architecture Prism does not run)");
        }
    };
    expect("window size", kWindowSamples);
    expect("context size", kContextSamples);
    expect("encoder layer count", kEncoderLayers);
    for (int i = 0; i < kEncoderLayers; ++i) {
        const std::string layer = "encoder layer " + std::to_string(i);
        expect(layer + " input channels", kEncoderIn[i]);
        expect(layer + " output channels", kEncoderOut[i]);
        expect(layer + " kernel size", kConvKernel);
    }
    expect("LSTM input size", kLstmSize);
    expect("LSTM hidden size", kLstmSize);
    expect("final convolution input", kLstmSize);
    expect("final convolution output", 1);
}

std::vector<float> read_values(Reader& r, std::int32_t ftype, std::uint64_t count,
                               const std::string& what) {
    const std::uint64_t element = ftype == 0 ? 4 : 2;
    const auto data = r.take(count * element, what);
    std::vector<float> out(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (ftype == 0) {
            std::memcpy(&out[i], data.data() + 4 * i, 4);
        } else {
            std::uint16_t h = 0;
            std::memcpy(&h, data.data() + 2 * i, 2);
            out[i] = half_to_float(h);
        }
    }
    for (const float v : out) {
        if (!std::isfinite(v)) r.fail(what + " holds a value that is not finite");
    }
    return out;
}

void place(SileroWeights& w, std::size_t index, std::vector<float> values) {
    if (index < 2 * kEncoderLayers) {
        ConvWeights& layer = w.encoder[index / 2];
        (index % 2 == 0 ? layer.weight : layer.bias) = std::move(values);
        return;
    }
    switch (index - 2 * kEncoderLayers) {
        case 0:
            w.lstm_input = std::move(values);
            break;
        case 1:
            w.lstm_hidden = std::move(values);
            break;
        case 2:
            w.lstm_bias = std::move(values);
            break;
        case 3:
            // PyTorch adds the two biases in every step; adding them once gives the same sums.
            for (std::size_t i = 0; i < values.size(); ++i) w.lstm_bias[i] += values[i];
            break;
        case 4:
            w.head_weight = std::move(values);
            break;
        case 5:
            w.head_bias = values[0];
            break;
        default:
            w.stft_basis = std::move(values);
            break;
    }
}

// One tensor record: checked against `specs` and stored in `found` at its index.
void read_tensor(Reader& r, const std::vector<TensorSpec>& specs,
                 std::vector<std::optional<std::vector<float>>>& found) {
    const std::size_t start = r.offset();
    const std::int32_t n_dims = r.i32("a tensor header");
    const std::int32_t name_length = r.i32("a tensor header");
    const std::int32_t ftype = r.i32("a tensor header");
    const std::string at = " (tensor at offset " + std::to_string(start) + ")";
    if (n_dims < 0 || n_dims > kMaxDims)
        r.fail("tensor with " + std::to_string(n_dims) + " dimensions" + at);
    if (name_length < 1 || name_length > kMaxNameBytes)
        r.fail("tensor name of " + std::to_string(name_length) + " bytes" + at);
    if (ftype != 0 && ftype != 1)
        r.fail("tensor type " + std::to_string(ftype) + " (only f32 and f16 are read)" + at);
    std::vector<std::int64_t> dims;  // innermost first, as ggml writes them
    std::uint64_t count = 1;
    for (std::int32_t d = 0; d < n_dims; ++d) {
        const std::int32_t dim = r.i32("a tensor's dimensions");
        // Real dimensions are at most 512; with `count` checked after each one it stays
        // below 2^36, far from overflow.
        if (dim < 1 || dim > (1 << 16)) r.fail("tensor dimension " + std::to_string(dim) + at);
        dims.push_back(dim);
        count *= static_cast<std::uint64_t>(dim);
        if (count > (1u << 20)) r.fail("tensor of more than 2^20 values" + at);
    }
    const auto name_bytes = r.take(static_cast<std::uint64_t>(name_length), "a tensor name");
    const std::string_view tensor(reinterpret_cast<const char*>(name_bytes.data()),
                                  name_bytes.size());
    std::size_t index = specs.size();
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (specs[i].name == tensor) index = i;
    }
    if (index == specs.size()) r.fail("unexpected tensor '" + printable(tensor) + "'");
    if (found[index]) r.fail("tensor '" + std::string(tensor) + "' appears twice");
    std::vector<std::int64_t> shape;  // outermost first, without 1s
    for (auto d = dims.rbegin(); d != dims.rend(); ++d) {
        if (*d != 1) shape.push_back(*d);
    }
    if (shape != specs[index].shape) {
        r.fail("tensor '" + std::string(tensor) + "' has shape " + shape_text(shape) +
               ", expected " + shape_text(specs[index].shape));
    }
    found[index] = read_values(r, ftype, count, "tensor '" + std::string(tensor) + "'");
}

}  // namespace

SileroWeights read_silero_weights(std::span<const std::uint8_t> bytes, std::string_view name) {
    Reader r(bytes, name);
    SileroWeights w;
    read_header(r, w);

    const std::vector<TensorSpec> specs = expected_tensors();
    std::vector<std::optional<std::vector<float>>> found(specs.size());
    while (r.remaining() > 0) read_tensor(r, specs, found);
    std::size_t present = 0;
    for (const auto& f : found) present += f ? 1 : 0;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        if (!found[i]) {
            r.fail("truncated or incomplete: the file ends after " + std::to_string(present) +
                   " of " + std::to_string(specs.size()) + " tensors, without '" +
                   std::string(specs[i].name) + "'");
        }
    }
    for (std::size_t i = 0; i < specs.size(); ++i) place(w, i, std::move(*found[i]));
    return w;
}

}  // namespace prism::vad
