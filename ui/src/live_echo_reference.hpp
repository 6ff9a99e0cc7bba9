#pragma once

// The far-end reference of the echo canceller: what the speaker played, on one 16 kHz timeline
// with the microphone. Sample i of the timeline is heard at i / 16 kHz on the steady clock
// (`clock_us`), so the speech output and the microphone, on different threads and at different
// rates, meet without sharing anything but this clock. The speech output writes each block as
// it hands it to the sound card, stamped with when it will be heard; the microphone's filter
// reads the samples heard while each of its frames was captured. Thread-safe.

#include <QMutex>
#include <cstdint>
#include <deque>
#include <span>

namespace prism::ui {

class FarEndReference {
  public:
    static constexpr int kSampleRate = 16000;

    // Microseconds on the steady clock both sides stamp with.
    static std::int64_t clock_us();
    // The timeline's sample heard at `us`.
    static std::int64_t index_at(std::int64_t us) { return us * kSampleRate / 1'000'000; }

    // `block` (16 kHz) is heard from `audible_us` on. A block stamped within a few ms of the
    // previous one's end follows it without a gap, as the sound card plays them; one stamped
    // later starts a new stretch (silence between).
    void played(std::span<const std::int16_t> block, std::int64_t audible_us);
    // The sound card dropped what it had not played yet (barge-in): nothing after `us` is heard.
    void discard_after(std::int64_t us);
    // The reference at timeline samples [from, from + out.size()): zeros where nothing played.
    // Samples older than a second before `from` are forgotten.
    void read(std::int64_t from, std::span<std::int16_t> out);
    // Samples held (bounded: the oldest go past kMaxSamples).
    std::size_t held() const;

    static constexpr std::size_t kMaxSamples = 30 * kSampleRate;

  private:
    mutable QMutex mutex_;
    std::deque<std::int16_t> samples_;
    std::int64_t begin_ = 0;  // timeline index of samples_.front()
};

}  // namespace prism::ui
