// The streaming log-mel gives, chunk by chunk, the same frames and windows as the whole-signal
// form, to the bit, and each frame as soon as its samples are in.

#include <gtest/gtest.h>

#include <random>

#include "audio_test_data.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/log_mel.hpp"

namespace prism::media {
namespace {

// jfk.wav three times over: 33 s, two windows, the second one partly zero padding.
const std::vector<float>& long_speech() {
    static const std::vector<float> samples = [] {
        const Audio jfk = decode_audio_file(test::audio_fixture("jfk.wav"));
        std::vector<float> out;
        for (int i = 0; i < 3; ++i) out.insert(out.end(), jfk.samples.begin(), jfk.samples.end());
        return out;
    }();
    return samples;
}

// A raw [n_mel, frames] spectrogram as frame-major values, the streaming layout.
std::vector<float> frame_major(const MelSpectrogram& mel) {
    std::vector<float> out(mel.data.size());
    for (int t = 0; t < mel.n_frames; ++t) {
        for (int m = 0; m < mel.n_mel; ++m) {
            out[std::size_t(t) * std::size_t(mel.n_mel) + std::size_t(m)] = mel.at(m, t);
        }
    }
    return out;
}

struct Streamed {
    std::vector<float> raw;
    std::vector<MelSpectrogram> windows;
};

void take(StreamingLogMel& streaming, Streamed& out) {
    const auto raw = streaming.take_raw_frames();
    out.raw.insert(out.raw.end(), raw.begin(), raw.end());
    for (auto& window : streaming.take_windows()) out.windows.push_back(std::move(window));
}

// Pushes `samples` in chunks of the given sizes (cycled), taking what is ready after every
// chunk (every 97th when chunks are tiny), then finishes.
Streamed stream(StreamingLogMel& streaming, std::span<const float> samples,
                const std::vector<std::size_t>& chunk_sizes) {
    Streamed out;
    std::size_t at = 0;
    for (std::size_t i = 0; at < samples.size(); ++i) {
        const std::size_t n = std::min(chunk_sizes[i % chunk_sizes.size()], samples.size() - at);
        streaming.push(samples.subspan(at, n));
        at += n;
        if (n >= 160 || i % 97 == 0) take(streaming, out);
    }
    streaming.finish();
    take(streaming, out);
    return out;
}

// Streams `samples` once per chunk pattern and compares each result with the whole-signal
// frames and windows, bit for bit.
void expect_same_as_whole(std::span<const float> samples,
                          const std::vector<std::vector<std::size_t>>& chunk_patterns, int n_mel) {
    LogMelSpectrogram whole(n_mel);
    const std::vector<float> raw = frame_major(whole.raw(samples));
    const std::vector<MelSpectrogram> windows = whole.windows(samples);
    for (const auto& chunks : chunk_patterns) {
        SCOPED_TRACE("chunks of " + std::to_string(chunks[0]) + (chunks.size() > 1 ? "..." : ""));
        StreamingLogMel streaming(n_mel);
        const Streamed streamed = stream(streaming, samples, chunks);
        EXPECT_TRUE(streamed.raw == raw);
        ASSERT_EQ(streamed.windows.size(), windows.size());
        for (std::size_t w = 0; w < windows.size(); ++w) {
            EXPECT_EQ(streamed.windows[w].n_mel, n_mel);
            EXPECT_EQ(streamed.windows[w].n_frames, 3000);
            EXPECT_TRUE(streamed.windows[w].data == windows[w].data) << "window " << w;
        }
    }
}

TEST(LogMelStreaming, EveryChunkSizeGivesTheWholeSignalResult) {
    expect_same_as_whole(long_speech(), {{1}, {160}, {161}, {400}, {4096}}, 80);
}

TEST(LogMelStreaming, IrregularChunksWithHundredTwentyEightBins) {
    std::mt19937 random(11);
    std::vector<std::size_t> chunks;
    for (int i = 0; i < 97; ++i) chunks.push_back(std::size_t(random() % 9000));
    chunks.push_back(1);  // some chunks are empty; this keeps the cycle moving
    expect_same_as_whole(long_speech(), {chunks}, 128);
}

TEST(LogMelStreaming, ShortAndEdgeLengths) {
    const std::vector<float>& speech = long_speech();
    for (const std::size_t length : {std::size_t(1), std::size_t(200), std::size_t(201),
                                     std::size_t(359), std::size_t(480000), std::size_t(480001)}) {
        SCOPED_TRACE("length " + std::to_string(length));
        expect_same_as_whole(std::span(speech).first(length), {{4096}}, 80);
    }
}

TEST(LogMelStreaming, FramesComeAsSoonAsTheirSamplesAreIn) {
    // Frame 0 mirrors samples 1..200, so it needs 201 samples; frame t >= 1 ends at 160 t + 200.
    const std::vector<float>& speech = long_speech();
    StreamingLogMel streaming(80);
    const auto frames_after = [&](std::size_t total) {
        streaming.push(std::span(speech).subspan(streaming.samples_pushed(),
                                                 total - streaming.samples_pushed()));
        return streaming.take_raw_frames().size() / 80;
    };
    EXPECT_EQ(frames_after(200), 0u);
    EXPECT_EQ(frames_after(201), 1u);
    EXPECT_EQ(frames_after(359), 0u);
    EXPECT_EQ(frames_after(360), 1u);
    EXPECT_EQ(frames_after(160 * 100 + 200), 99u);  // frames 2..100
    EXPECT_TRUE(streaming.take_windows().empty());
    // The window's last frame mirrors its own last samples: it waits for all 480000.
    EXPECT_EQ(frames_after(479999), 2999u - 101u);
    EXPECT_TRUE(streaming.take_windows().empty());
    EXPECT_EQ(frames_after(480000), 1u);
    EXPECT_EQ(streaming.take_windows().size(), 1u);  // complete before finish()
    streaming.finish();
    EXPECT_TRUE(streaming.take_windows().empty());  // the stream ended on a window edge
}

TEST(LogMelStreaming, FinishStartsANewStream) {
    const std::vector<float>& speech = long_speech();
    const auto first = std::span(speech).first(50000);
    const auto second = std::span(speech).subspan(100000, 30000);
    StreamingLogMel reused(80), fresh(80);
    stream(reused, first, {1000});
    EXPECT_EQ(reused.samples_pushed(), 0u);
    const Streamed again = stream(reused, second, {1000});
    const Streamed once = stream(fresh, second, {1000});
    EXPECT_TRUE(again.raw == once.raw);
    ASSERT_EQ(again.windows.size(), 1u);
    EXPECT_TRUE(again.windows[0].data == once.windows[0].data);
}

TEST(LogMelStreaming, NoSamplesNoWindow) {
    StreamingLogMel streaming(80);
    streaming.finish();
    EXPECT_TRUE(streaming.take_windows().empty());
    EXPECT_TRUE(streaming.take_raw_frames().empty());
}

}  // namespace
}  // namespace prism::media
