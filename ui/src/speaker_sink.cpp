#include "speaker_sink.hpp"

#include <QAudioDevice>
#include <QAudioFormat>
#include <QAudioSink>
#include <QCoreApplication>
#include <QMediaDevices>
#include <algorithm>

#include "live_echo_reference.hpp"

namespace prism::ui {
namespace {

// Sound handed to the card ahead of time: enough to ride out a late timer, short enough that
// the reference's timestamps stay close to what is heard.
constexpr std::int64_t kBufferUs = 60'000;

std::int64_t us_of(std::int64_t samples, int rate) {
    return samples * 1'000'000 / rate;
}

}  // namespace

DeviceSpeakerSink::DeviceSpeakerSink() {
    const QAudioDevice device = QMediaDevices::defaultAudioOutput();
    if (device.isNull()) {
        reason_ = QCoreApplication::translate(
            "SpeakerSink", "No sound output device: answers are shown, not spoken.");
        return;
    }
    QAudioFormat format;
    format.setSampleRate(16000);
    format.setChannelCount(1);
    format.setSampleFormat(QAudioFormat::Int16);
    if (!device.isFormatSupported(format)) {
        format = device.preferredFormat();
        const QAudioFormat::SampleFormat preferred = format.sampleFormat();
        format.setSampleFormat(QAudioFormat::Int16);
        if (!device.isFormatSupported(format)) format.setSampleFormat(preferred);
        if (format.sampleFormat() != QAudioFormat::Int16 &&
            format.sampleFormat() != QAudioFormat::Float) {
            reason_ =
                QCoreApplication::translate(
                    "SpeakerSink", "%1 takes no 16-bit or float sound: answers are not spoken.")
                    .arg(device.description());
            return;
        }
    }
    rate_ = format.sampleRate();
    channels_ = std::max(1, format.channelCount());
    float_samples_ = format.sampleFormat() == QAudioFormat::Float;
    sink_ = std::make_unique<QAudioSink>(device, format);
    sink_->setBufferSize(static_cast<qsizetype>(format.bytesForDuration(kBufferUs)));
}

DeviceSpeakerSink::~DeviceSpeakerSink() {
    if (sink_) sink_->stop();
}

bool DeviceSpeakerSink::ensure_started() {
    if (!sink_) return false;
    if (!io_) io_ = sink_->start();
    return io_ != nullptr;
}

std::int64_t DeviceSpeakerSink::room() {
    if (!ensure_started()) return 0;
    const int frame_bytes = channels_ * (float_samples_ ? 4 : 2);
    return sink_->bytesFree() / frame_bytes;
}

void DeviceSpeakerSink::write(std::span<const std::int16_t> samples) {
    if (!ensure_started() || samples.empty()) return;
    QByteArray bytes;
    if (float_samples_) {
        bytes.resize(static_cast<qsizetype>(samples.size() * channels_ * sizeof(float)));
        auto* out = reinterpret_cast<float*>(bytes.data());
        for (std::int16_t s : samples)
            for (int c = 0; c < channels_; ++c) *out++ = static_cast<float>(s) / 32768.0f;
    } else {
        bytes.resize(static_cast<qsizetype>(samples.size() * channels_ * sizeof(std::int16_t)));
        auto* out = reinterpret_cast<std::int16_t*>(bytes.data());
        for (std::int16_t s : samples)
            for (int c = 0; c < channels_; ++c) *out++ = s;
    }
    io_->write(bytes);
}

std::int64_t DeviceSpeakerSink::pending_us() {
    if (!sink_ || !io_) return 0;
    const qsizetype queued = sink_->bufferSize() - sink_->bytesFree();
    return std::max<std::int64_t>(0, sink_->format().durationForBytes(queued));
}

void DeviceSpeakerSink::discard() {
    if (!sink_ || !io_) return;
    sink_->reset();
    sink_->stop();
    io_ = nullptr;
}

MemorySpeakerSink::MemorySpeakerSink(Pace pace, int sample_rate)
    : pace_(pace), rate_(sample_rate) {}

std::int64_t MemorySpeakerSink::room() {
    if (pace_ == Pace::fast) return rate_;  // a second at a time
    return std::max<std::int64_t>(0, (kBufferUs - pending_us()) * rate_ / 1'000'000);
}

void MemorySpeakerSink::write(std::span<const std::int16_t> samples) {
    if (samples.empty()) return;
    const std::int64_t now = FarEndReference::clock_us();
    const std::int64_t start = pace_ == Pace::fast ? now : std::max(play_end_us_, now);
    // Joined to the previous stretch when it follows without a gap.
    if (!heard_.empty() && start == play_end_us_ && pace_ == Pace::real_time) {
        heard_.back().samples.insert(heard_.back().samples.end(), samples.begin(), samples.end());
    } else {
        heard_.push_back({start, std::vector<std::int16_t>(samples.begin(), samples.end())});
    }
    play_end_us_ = start + us_of(static_cast<std::int64_t>(samples.size()), rate_);
}

std::int64_t MemorySpeakerSink::pending_us() {
    if (pace_ == Pace::fast) return 0;
    return std::max<std::int64_t>(0, play_end_us_ - FarEndReference::clock_us());
}

void MemorySpeakerSink::discard() {
    const std::int64_t now = FarEndReference::clock_us();
    if (pace_ == Pace::fast || play_end_us_ <= now) return;
    // Cut the stretch being heard at `now`.
    Heard& last = heard_.back();
    const std::int64_t keep =
        std::max<std::int64_t>(0, (now - last.audible_us) * rate_ / 1'000'000);
    if (keep < static_cast<std::int64_t>(last.samples.size()))
        last.samples.resize(static_cast<std::size_t>(keep));
    play_end_us_ = now;
}

std::int64_t MemorySpeakerSink::samples_heard() const {
    std::int64_t n = 0;
    for (const Heard& h : heard_) n += static_cast<std::int64_t>(h.samples.size());
    return n;
}

}  // namespace prism::ui
