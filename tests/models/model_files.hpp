#pragma once

// A synthetic `llama` GGUF for tests that need a file with chosen shapes, types or defects, and
// where the real model files are (support/test_files.hpp).

#include <string>

#include "prism/tensor_type.hpp"
#include "support/gguf_builder.hpp"
#include "support/test_files.hpp"

namespace prism::test {

struct TinyLlamaSpec {
    std::string architecture = "llama";
    TensorType weight_type = TensorType::F32;  // of every matrix (norms stay F32)
    bool tied_output = true;
    std::string omit;         // a tensor name left out
    std::string wrong_shape;  // a tensor written with its dims swapped
};

// 2 layers, n_embd 32, 4 heads of 8 (2 KV heads: GQA 2:1), n_ff 64, vocab 48, rope theta
// 10000, random weights of order one.
GgufBuilder tiny_llama(const TinyLlamaSpec& spec = {});

}  // namespace prism::test
