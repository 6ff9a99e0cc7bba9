// Gemma 3's sliding-window layers keep a ring of their window plus one prefill chunk instead of
// the whole context. The tiny gemma3 fixture (window 4, every other layer sliding) is checked
// against transformers in test_tiny_fixtures.cpp, where its ring wraps; here the ring is held
// against the full cache of the same decoder (full_sliding_cache) over many wraps, and
// truncate() keeps what the ring still holds and nothing more.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "prism/gguf.hpp"
#include "prism/models/decoder.hpp"
#include "support/gpu_test.hpp"

namespace prism::test {
namespace {

namespace fs = std::filesystem;
using models::Decoder;
using models::DecoderOptions;

const fs::path kGemma = fs::path(PRISM_TEST_DATA_DIR) / "models" / "tiny-gemma3-q8_0.gguf";

class SlidingCache : public GpuTest {
  protected:
    gguf::File file = gguf::File::open(kGemma);

    static DecoderOptions options(bool full) {
        return {.n_ctx = 96, .prefill_chunk = 7, .full_sliding_cache = full};
    }

    // 90 tokens of the vocabulary, not a repeating pattern.
    static std::vector<std::int32_t> tokens(std::int64_t vocab) {
        std::vector<std::int32_t> t;
        for (std::int32_t i = 0; i < 90; ++i)
            t.push_back(static_cast<std::int32_t>((i * 37 + 11) % vocab));
        return t;
    }

    static float max_diff(const std::vector<float>& a, const std::vector<float>& b) {
        EXPECT_EQ(a.size(), b.size());
        float d = 0;
        for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
            d = std::max(d, std::abs(a[i] - b[i]));
        return d;
    }
};

TEST_F(SlidingCache, SlidingLayersHoldTheWindowAndAChunk) {
    Decoder ring(ctx(), file, options(false));
    Decoder full(ctx(), file, options(true));
    const auto& h = ring.hparams();
    ASSERT_EQ(h.n_swa, 4);
    ASSERT_EQ(h.swa_layers, (std::vector<bool>{true, false}));
    EXPECT_EQ(models::kv_cache_rows(h, 0, options(false)), 4 + 7 - 1);
    EXPECT_EQ(models::kv_cache_rows(h, 1, options(false)), 96);
    EXPECT_EQ(models::kv_cache_rows(h, 0, options(true)), 96);
    // Two layers of K and V: (10 + 96) rows against (96 + 96).
    EXPECT_EQ(full.kv_cache_bytes() * (10 + 96), ring.kv_cache_bytes() * (96 + 96));
}

TEST_F(SlidingCache, RingGivesTheFullCachesLogitsThroughManyWraps) {
    Decoder ring(ctx(), file, options(false));
    Decoder full(ctx(), file, options(true));
    const auto t = tokens(ring.n_vocab());
    // Chunks of 7 (the matrix-matrix path, wrapping inside a chunk), then one-token steps.
    const std::span<const std::int32_t> prompt(t.data(), 61);
    // The same keys in the same order: only the slots differ, so the sums are the same.
    EXPECT_EQ(max_diff(ring.forward(prompt, true), full.forward(prompt, true)), 0.0f);
    for (std::size_t i = 61; i < 89; ++i) {
        const std::span<const std::int32_t> one(&t[i], 1);
        ASSERT_EQ(max_diff(ring.forward(one), full.forward(one)), 0.0f) << "row " << i;
    }
    // Two rows at once (the multi-column decode step) across the ring's end: rows 89 and 90
    // go to slots 9 and 0 of 10.
    const std::vector<std::int32_t> two{t[89], 5};
    EXPECT_EQ(max_diff(ring.forward(two, true), full.forward(two, true)), 0.0f);
}

TEST_F(SlidingCache, TruncateKeepsRowsOnlyWhileTheRingHoldsTheirWindow) {
    Decoder ring(ctx(), file, options(false));
    Decoder full(ctx(), file, options(true));
    const auto t = tokens(ring.n_vocab());
    const std::span<const std::int32_t> all(t.data(), 80);
    ring.forward(all);
    full.forward(all);

    // Back by one chunk or less: the window before the cut (rows 70..72 for a cut at 73) is
    // still in the ring (rows 70..79 are), so the rows are kept, and the next logits agree.
    EXPECT_EQ(ring.truncate(73), 73);
    EXPECT_EQ(full.truncate(73), 73);
    const std::span<const std::int32_t> next(t.data() + 80, 5);
    EXPECT_EQ(max_diff(ring.forward(next, true), full.forward(next, true)), 0.0f);

    // Further back, rows 37..39 were overwritten: nothing is kept, where the full cache keeps
    // all 40 rows. Evaluated again from row 0, the ring gives a fresh decoder's logits.
    EXPECT_EQ(ring.truncate(40), 0);
    EXPECT_EQ(ring.n_past(), 0);
    EXPECT_EQ(ring.next_position(), 0);
    EXPECT_EQ(full.truncate(40), 40);
    const std::span<const std::int32_t> first(t.data(), 41);
    Decoder fresh(ctx(), file, options(true));
    EXPECT_EQ(max_diff(ring.forward(first), fresh.forward(first)), 0.0f);
    // A cut at the end keeps everything; row 0 now sits where row 40 was written.
    EXPECT_EQ(ring.truncate(41), 41);
    EXPECT_EQ(ring.truncate(2), 0);
}

}  // namespace
}  // namespace prism::test
