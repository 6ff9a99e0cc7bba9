// Several models in one process share one Vulkan device context (prism::Device): one device,
// one allocator, one pipeline cache. Each model still answers exactly as it does alone on a
// device of its own, also when the models are used in turn or from two threads at once.

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "models/greedy_options.hpp"
#include "models/model_files.hpp"
#include "prism/device.hpp"
#include "prism/session.hpp"
#include "prism/transcriber.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;

fs::path qwen2() {
    return test_data("models/tiny-qwen2-q8_0.gguf");
}

constexpr std::string_view kPrompt = "Once upon a time";

// The tokens `path` generates on a device of its own.
std::vector<text::TokenId> alone(const fs::path& path, std::int64_t tokens) {
    SessionOptions o;
    o.gpu = Device::open();
    return Session::load(path, o).generate_raw(kPrompt, greedy(tokens)).tokens;
}

TEST(SharedDevice, ModelsLoadedInOneProcessShareOneDevice) {
    const auto story_alone = alone(demo_model(), 12);
    const auto qwen_alone = alone(qwen2(), 12);
    const int before = Device::open_count();
    {
        Session story = Session::load(demo_model());
        EXPECT_EQ(Device::open_count(), before + 1);
        Session qwen = Session::load(qwen2());
        EXPECT_EQ(Device::open_count(), before + 1);
        ASSERT_EQ(story.device(), qwen.device());

        // In turn, each continuing its own KV cache after the other ran.
        const auto story_first = story.generate_raw(kPrompt, greedy(6)).tokens;
        const auto qwen_first = qwen.generate_raw(kPrompt, greedy(6)).tokens;
        EXPECT_EQ(story_first, std::vector(story_alone.begin(), story_alone.begin() + 6));
        EXPECT_EQ(qwen_first, std::vector(qwen_alone.begin(), qwen_alone.begin() + 6));
        EXPECT_EQ(story.generate_raw(kPrompt, greedy(12)).tokens, story_alone);
        EXPECT_EQ(qwen.generate_raw(kPrompt, greedy(12)).tokens, qwen_alone);
        EXPECT_GT(story.generate_raw(kPrompt, greedy(12)).timings.prompt_tokens_reused, 0);
    }
    // The device closes with the last model on it.
    EXPECT_EQ(Device::open_count(), before);
}

TEST(SharedDevice, ASecondModelReusesThePipelinesOfTheFirst) {
    Session first = Session::load(demo_model());
    first.generate_raw(kPrompt, greedy(8));
    const DeviceStats after_first = first.device()->stats();
    EXPECT_GT(after_first.pipelines, 0u);

    Session second = Session::load(demo_model());
    ASSERT_EQ(second.device(), first.device());
    second.generate_raw(kPrompt, greedy(8));
    const DeviceStats after_second = first.device()->stats();
    EXPECT_EQ(after_second.pipelines, after_first.pipelines);
    EXPECT_GT(after_second.dispatches, after_first.dispatches);
    EXPECT_GT(after_second.memory_in_use, after_first.memory_in_use);  // its own weights
}

TEST(SharedDevice, AnExplicitDeviceIsUsedAndKeptAlive) {
    const int before = Device::open_count();
    auto device = Device::open();
    EXPECT_EQ(Device::open_count(), before + 1);
    SessionOptions o;
    o.gpu = device;
    auto session = std::make_unique<Session>(Session::load(demo_model(), o));
    EXPECT_EQ(session->device(), device);
    EXPECT_EQ(Device::open_count(), before + 1);
    device.reset();  // the session holds it now
    o.gpu.reset();
    EXPECT_EQ(session->generate_raw(kPrompt, greedy(4)).tokens.size(), 4u);
    session.reset();
    EXPECT_EQ(Device::open_count(), before);
}

TEST(SharedDevice, TwoThreadsGenerateAtOnceAsEachDoesAlone) {
    const auto story_alone = alone(demo_model(), 24);
    const auto qwen_alone = alone(qwen2(), 24);
    Session story = Session::load(demo_model());
    Session qwen = Session::load(qwen2());
    ASSERT_EQ(story.device(), qwen.device());
    for (int round = 0; round < 2; ++round) {
        story.reset();
        qwen.reset();
        auto a = std::async(std::launch::async,
                            [&] { return story.generate_raw(kPrompt, greedy(24)).tokens; });
        auto b = std::async(std::launch::async,
                            [&] { return qwen.generate_raw(kPrompt, greedy(24)).tokens; });
        EXPECT_EQ(a.get(), story_alone);
        EXPECT_EQ(b.get(), qwen_alone);
    }
}

// The live assistant's pair: a chat model and Whisper on one device, each with its own weights.
TEST(SharedDevice, WhisperJoinsTheChatModelsDevice) {
    const auto whisper = real_model(kWhisperTinyEnFile);
    if (!whisper) GTEST_SKIP() << real_model_absent(kWhisperTinyEnFile);
    const int before = Device::open_count();
    Session chat = Session::load(demo_model());
    const std::uint64_t chat_memory = chat.device()->stats().memory_in_use;
    Transcriber ear(*whisper);
    EXPECT_EQ(ear.device(), chat.device());
    EXPECT_EQ(Device::open_count(), before + 1);
    EXPECT_GT(chat.device()->stats().memory_in_use, chat_memory);
    EXPECT_EQ(chat.generate_raw(kPrompt, greedy(4)).tokens.size(), 4u);
}

}  // namespace
}  // namespace prism::test
