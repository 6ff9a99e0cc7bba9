// The session's memory check on a device other models already use: their memory counts
// against the device's, not against a budget the caller gave this model.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "prism/error.hpp"
#include "prism/gguf.hpp"
#include "prism/models/architecture.hpp"
#include "session/memory_check.hpp"

namespace prism::session {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

struct DemoModel {
    gguf::File file =
        gguf::File::open(std::string(PRISM_TEST_DATA_DIR) + "/models/tiny-llama-q8_0.gguf");
    models::DecoderHParams hparams = models::read_hparams(file);
    SessionOptions options;
    DemoModel() { options.n_ctx = 64; }
};

gpu::DeviceInfo device_with(std::uint64_t heap_bytes) {
    gpu::DeviceInfo d;
    d.name = "test device";
    d.heaps.push_back({.bytes = heap_bytes, .device_local = true});
    return d;
}

TEST(MemoryCheckShared, OtherModelsMemoryCountsAgainstTheDevice) {
    DemoModel m;
    const gpu::DeviceInfo device = device_with(kMiB);  // the model needs about 0.12 MiB
    EXPECT_NO_THROW(check_fits(m.file, m.hparams, m.options, device, nullptr, kMiB / 2));
    try {
        check_fits(m.file, m.hparams, m.options, device, nullptr, kMiB - kMiB / 16);
        FAIL() << "a model fit beside 0.94 MiB of others on a 1 MiB device";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("test device has 0.1 MiB free (0.9 MiB are used by other models"),
                  std::string::npos)
            << what;
    }
}

TEST(MemoryCheckShared, ABudgetIsTheModelsOwn) {
    DemoModel m;
    m.options.memory_budget_bytes = kMiB;
    EXPECT_NO_THROW(
        check_fits(m.file, m.hparams, m.options, device_with(kMiB), nullptr, kMiB - kMiB / 16));
}

}  // namespace
}  // namespace prism::session
