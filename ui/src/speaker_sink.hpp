#pragma once

// Where spoken answers go: the sound card (DeviceSpeakerSink, QAudioSink on the default output)
// or memory (MemorySpeakerSink: a speaker that keeps what it played and when it was heard, for
// machines without sound and for tests). The speech output writes small blocks of mono 16-bit
// sound and keeps only a few tens of ms queued, so that discard() silences at once.

#include <QString>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

class QAudioSink;
class QIODevice;

namespace prism::ui {

class SpeakerSink {
  public:
    virtual ~SpeakerSink() = default;

    // Why nothing can be played ("" when sound works), in words for the live view.
    virtual QString unavailable_reason() const = 0;
    // The rate write() takes.
    virtual int sample_rate() const = 0;
    // Samples it takes now without queuing more than its buffer.
    virtual std::int64_t room() = 0;
    // Mono samples at sample_rate(); no more than room().
    virtual void write(std::span<const std::int16_t> samples) = 0;
    // Microseconds of sound written and not yet heard.
    virtual std::int64_t pending_us() = 0;
    // Drops whatever was not heard yet.
    virtual void discard() = 0;
};

class DeviceSpeakerSink : public SpeakerSink {
  public:
    DeviceSpeakerSink();
    ~DeviceSpeakerSink() override;

    QString unavailable_reason() const override { return reason_; }
    int sample_rate() const override { return rate_; }
    std::int64_t room() override;
    void write(std::span<const std::int16_t> samples) override;
    std::int64_t pending_us() override;
    void discard() override;

  private:
    bool ensure_started();

    QString reason_;
    int rate_ = 16000;
    int channels_ = 1;
    bool float_samples_ = false;
    std::unique_ptr<QAudioSink> sink_;
    QIODevice* io_ = nullptr;  // owned by sink_ while it runs
};

class MemorySpeakerSink : public SpeakerSink {
  public:
    enum class Pace {
        real_time,  // takes samples as fast as a sound card would play them (a 60-ms buffer)
        fast,       // takes everything at once, as if heard when written
    };
    // A stretch of sound heard without a gap, from `audible_us` on FarEndReference's clock.
    struct Heard {
        std::int64_t audible_us = 0;
        std::vector<std::int16_t> samples;
    };

    explicit MemorySpeakerSink(Pace pace, int sample_rate = 16000);

    QString unavailable_reason() const override { return {}; }
    int sample_rate() const override { return rate_; }
    std::int64_t room() override;
    void write(std::span<const std::int16_t> samples) override;
    std::int64_t pending_us() override;
    void discard() override;

    // Everything heard (or to be heard: what is still pending counts until discarded).
    const std::vector<Heard>& heard() const { return heard_; }
    std::int64_t samples_heard() const;

  private:
    Pace pace_;
    int rate_;
    std::int64_t play_end_us_ = 0;  // when everything written will have been heard
    std::vector<Heard> heard_;
};

}  // namespace prism::ui
