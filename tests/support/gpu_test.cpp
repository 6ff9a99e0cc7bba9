#include "support/gpu_test.hpp"

#include <cmath>
#include <cstring>
#include <memory>

#include "prism/half.hpp"

namespace prism::test {

gpu::Context& shared_context() {
    static std::unique_ptr<gpu::Context> context = [] {
        gpu::ContextOptions options;
        options.validation = true;
        auto c = std::make_unique<gpu::Context>(options);
        return c;
    }();
    return *context;
}

void GpuTest::SetUp() {
    ctx().clear_validation_messages();
}

void GpuTest::TearDown() {
    buffers_.clear();
    const auto messages = ctx().validation_messages();
    EXPECT_TRUE(messages.empty()) << messages.size() << " validation message(s), first: "
                                  << (messages.empty() ? "" : messages.front());
}

gpu::Tensor GpuTest::empty(TensorType type, std::array<std::int64_t, 4> ne) {
    const std::uint64_t bytes = row_bytes(type, static_cast<std::uint64_t>(ne[0])) *
                                static_cast<std::uint64_t>(ne[1] * ne[2] * ne[3]);
    buffers_.push_back(ctx().allocate(bytes));
    return gpu::Tensor::contiguous(buffers_.back(), type, {ne[0], ne[1], ne[2], ne[3]});
}

gpu::Tensor GpuTest::upload(const ops::HostTensor& host) {
    auto t = empty(TensorType::F32, host.ne);
    ctx().upload(t.memory, std::span<const float>(host.data));
    return t;
}

gpu::Tensor GpuTest::upload_raw(TensorType type, std::array<std::int64_t, 4> ne,
                                const std::vector<std::uint8_t>& bytes) {
    auto t = empty(type, ne);
    if (bytes.size() != t.memory.size) {
        ADD_FAILURE() << "upload_raw: " << bytes.size() << " bytes for " << t.shape_string();
    }
    ctx().upload(t.memory, std::span<const std::uint8_t>(bytes));
    return t;
}

ops::HostTensor GpuTest::download(const gpu::Tensor& t) {
    ops::HostTensor out(t.ne);
    if (t.type == TensorType::F32) {
        auto v = ctx().download<float>(t.memory);
        std::memcpy(out.data.data(), v.data(), out.data.size() * sizeof(float));
    } else if (t.type == TensorType::F16) {
        auto v = ctx().download<std::uint16_t>(t.memory);
        for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] = half_to_float(v[i]);
    } else {
        ADD_FAILURE() << "download supports f32 and f16 only, got " << t.shape_string();
    }
    return out;
}

void GpuTest::run(const std::function<void(gpu::Recorder&)>& record) {
    auto rec = ctx().record();
    record(rec);
    ctx().submit(rec);
}

ops::HostTensor random_tensor(std::array<std::int64_t, 4> ne, std::uint32_t seed, float lo,
                              float hi) {
    ops::HostTensor t(ne);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    for (auto& v : t.data) v = dist(rng);
    return t;
}

Difference compare(const ops::HostTensor& expected, const ops::HostTensor& actual) {
    Difference d;
    for (std::size_t i = 0; i < expected.data.size() && i < actual.data.size(); ++i) {
        const float diff = std::fabs(expected.data[i] - actual.data[i]);
        if (!(diff <= d.max_abs)) {  // also catches NaN
            d.max_abs = std::isnan(diff) ? INFINITY : diff;
            d.where = static_cast<std::int64_t>(i);
        }
        const float rel = diff / std::max(1e-6f, std::fabs(expected.data[i]));
        if (rel > d.max_rel) d.max_rel = rel;
    }
    return d;
}

::testing::AssertionResult all_close(const ops::HostTensor& expected, const ops::HostTensor& actual,
                                     float atol, float rtol) {
    if (expected.ne != actual.ne) return ::testing::AssertionFailure() << "shapes differ";
    for (std::size_t i = 0; i < expected.data.size(); ++i) {
        const float e = expected.data[i], a = actual.data[i];
        if (!(std::fabs(e - a) <= atol + rtol * std::fabs(e))) {
            const auto d = compare(expected, actual);
            return ::testing::AssertionFailure()
                   << "element " << i << ": expected " << e << ", got " << a << " (atol " << atol
                   << ", rtol " << rtol << "); max abs diff " << d.max_abs << " at " << d.where;
        }
    }
    return ::testing::AssertionSuccess();
}

}  // namespace prism::test
