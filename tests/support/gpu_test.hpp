#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "prism/gpu/context.hpp"
#include "prism/gpu/tensor.hpp"
#include "prism/ops/host_tensor.hpp"

namespace prism::test {

// The context every GPU test shares (creating one per test would dominate the run time on
// lavapipe). The validation layer is on; any message it prints fails the test that caused it.
gpu::Context& shared_context();

class GpuTest : public ::testing::Test {
  protected:
    void SetUp() override;
    void TearDown() override;
    gpu::Context& ctx() { return shared_context(); }

    // Allocates a contiguous f32 tensor holding `host`; the buffer lives until the test ends.
    gpu::Tensor upload(const ops::HostTensor& host);
    // Allocates an uninitialised tensor of the given type and shape.
    gpu::Tensor empty(TensorType type, std::array<std::int64_t, 4> ne);
    // Allocates raw bytes (quantized weights) as a tensor of `type`.
    gpu::Tensor upload_raw(TensorType type, std::array<std::int64_t, 4> ne,
                           const std::vector<std::uint8_t>& bytes);
    ops::HostTensor download(const gpu::Tensor& t);  // f32 or f16, contiguous
    void run(const std::function<void(gpu::Recorder&)>& record);

    std::vector<gpu::Buffer> buffers_;
};

ops::HostTensor random_tensor(std::array<std::int64_t, 4> ne, std::uint32_t seed, float lo = -1.0f,
                              float hi = 1.0f);

// Largest |a - b| and the index where it occurs.
struct Difference {
    float max_abs = 0;
    float max_rel = 0;
    std::int64_t where = -1;
};
Difference compare(const ops::HostTensor& expected, const ops::HostTensor& actual);

// Fails unless every |expected - actual| <= atol + rtol * |expected|.
::testing::AssertionResult all_close(const ops::HostTensor& expected, const ops::HostTensor& actual,
                                     float atol, float rtol);

}  // namespace prism::test
