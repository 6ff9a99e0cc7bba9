// A decoder file that cannot run fails at load with the tensor, shape or architecture named.

#include <gtest/gtest.h>

#include <string>

#include "models/model_files.hpp"
#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/decoder.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

class DecoderErrors : public GpuTest {
  protected:
    // The message of the FormatError that loading throws, or "" when it loads.
    std::string load_error(const TinyLlamaSpec& spec) {
        const auto file = gguf::File::from_bytes(tiny_llama(spec).bytes(), "edited.gguf");
        try {
            models::Decoder decoder(ctx(), file);
        } catch (const FormatError& e) {
            return e.what();
        }
        return "";
    }
};

TEST_F(DecoderErrors, TheUneditedFileLoads) {
    EXPECT_EQ(load_error({}), "");
}

TEST_F(DecoderErrors, MissingTensorIsNamed) {
    const std::string message = load_error({.omit = "blk.1.ffn_down.weight"});
    EXPECT_NE(message.find("edited.gguf"), std::string::npos) << message;
    EXPECT_NE(message.find("'blk.1.ffn_down.weight' is missing"), std::string::npos) << message;
}

TEST_F(DecoderErrors, MissingOutputNormIsNamed) {
    const std::string message = load_error({.omit = "output_norm.weight"});
    EXPECT_NE(message.find("'output_norm.weight' is missing"), std::string::npos) << message;
}

TEST_F(DecoderErrors, WrongShapeIsNamedWithTheExpectedShape) {
    const std::string message = load_error({.wrong_shape = "blk.0.attn_k.weight"});
    EXPECT_NE(message.find("'blk.0.attn_k.weight' has shape [16, 32]"), std::string::npos)
        << message;
    EXPECT_NE(message.find("expected [32, 16]"), std::string::npos) << message;
}

TEST_F(DecoderErrors, UnsupportedArchitectureIsNamed) {
    const std::string message = load_error({.architecture = "mamba"});
    EXPECT_NE(message.find("architecture 'mamba' is not supported"), std::string::npos) << message;
    EXPECT_NE(message.find("llama"), std::string::npos) << message;
}

TEST(DecoderHParams, MissingRequiredKeyIsNamed) {
    auto b = GgufBuilder();
    b.set("general.architecture", "llama");
    b.set<std::uint32_t>("llama.block_count", 2);
    const auto file = gguf::File::from_bytes(b.bytes(), "keys.gguf");
    try {
        models::read_hparams(file);
        FAIL() << "loaded without embedding_length";
    } catch (const FormatError& e) {
        EXPECT_NE(std::string(e.what()).find("llama.embedding_length"), std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace prism::test
