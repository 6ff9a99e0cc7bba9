#include "live_speech_output.hpp"

#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <exception>

#include "live_echo_reference.hpp"
#include "pcm_resample.hpp"
#include "speaker_sink.hpp"
#include "speech_synthesis.hpp"

namespace prism::ui {
namespace {

constexpr std::int64_t kBlockSamples = FarEndReference::kSampleRate / 100;  // 10 ms
// Written ahead of what is heard; stop() drops at most this much.
constexpr std::int64_t kLeadUs = 60'000;

struct Synthesized {
    QString text;
    std::vector<std::int16_t> reference;
    std::vector<std::int16_t> played;
    QString error;
};

}  // namespace

SynthesizedSpeechOutput::SynthesizedSpeechOutput(std::unique_ptr<SpeakerSink> sink, QObject* parent)
    : SpeechOutput(parent),
      sink_(sink ? std::move(sink) : std::make_unique<DeviceSpeakerSink>()),
      reference_(std::make_shared<FarEndReference>()) {
    pump_.setTimerType(Qt::PreciseTimer);
    pump_.setInterval(10);
    connect(&pump_, &QTimer::timeout, this, &SynthesizedSpeechOutput::pump);
}

SynthesizedSpeechOutput::~SynthesizedSpeechOutput() {
    ++epoch_;
    if (sink_) sink_->discard();
}

QString SynthesizedSpeechOutput::unavailable_reason() const {
    const QString synthesis = speech_synthesis_unavailable();
    return synthesis.isEmpty() ? sink_->unavailable_reason() : synthesis;
}

void SynthesizedSpeechOutput::say(const QString& sentence) {
    if (sentence.trimmed().isEmpty()) return;
    if (!unavailable_reason().isEmpty()) return;  // the live view already says why
    to_synthesize_.append(sentence);
    speaking_ = true;
    synthesize_next();
}

void SynthesizedSpeechOutput::synthesize_next() {
    if (synthesizing_ || to_synthesize_.isEmpty()) return;
    synthesizing_ = true;
    const QString text = to_synthesize_.takeFirst();
    const int rate = sink_->sample_rate();
    const std::uint64_t epoch = epoch_;
    QtConcurrent::run([text, rate] {
        Synthesized s;
        s.text = text;
        try {
            SynthesizedSpeech speech = synthesize_speech(text, FarEndReference::kSampleRate);
            s.error = speech.error;
            s.reference = std::move(speech.samples);
            s.played = resample_pcm(s.reference, FarEndReference::kSampleRate, rate);
        } catch (const std::exception& e) {
            s.error = QString::fromUtf8(e.what());
        }
        return s;
    }).then(this, [this, epoch](Synthesized s) {
        if (epoch != epoch_) return;
        synthesizing_ = false;
        if (!s.error.isEmpty()) {
            stop();
            emit failed(s.error);
            return;
        }
        if (!s.reference.empty())
            ready_.push_back({s.text, std::move(s.reference), std::move(s.played), 0});
        synthesize_next();
        if (!pump_.isActive()) pump_.start();
        pump();
    });
}

void SynthesizedSpeechOutput::pump() {
    const int rate = sink_->sample_rate();
    while (!ready_.empty()) {
        Sentence& s = ready_.front();
        const std::size_t begin = s.next_block * kBlockSamples;
        if (begin >= s.reference.size()) {
            ready_.pop_front();
            continue;
        }
        const std::int64_t pending = sink_->pending_us();
        if (pending >= kLeadUs) break;
        const std::size_t end = std::min(begin + kBlockSamples, s.reference.size());
        // The same stretch of time at the sink's rate.
        const auto at_rate = [&](std::size_t i) {
            return std::min(s.played.size(),
                            static_cast<std::size_t>(static_cast<std::int64_t>(i) * rate /
                                                     FarEndReference::kSampleRate));
        };
        const std::size_t p0 = at_rate(begin);
        const std::size_t p1 = end == s.reference.size() ? s.played.size() : at_rate(end);
        if (sink_->room() < static_cast<std::int64_t>(p1 - p0)) break;
        if (s.next_block == 0) {
            const std::uint64_t epoch = epoch_;
            emit sentenceStarted(s.text);
            if (epoch != epoch_) return;  // a listener stopped the speech
        }
        sink_->write(std::span(s.played).subspan(p0, p1 - p0));
        reference_->played(std::span(s.reference).subspan(begin, end - begin),
                           FarEndReference::clock_us() + pending);
        ++s.next_block;
    }
    if (ready_.empty() && !synthesizing_ && to_synthesize_.isEmpty() && sink_->pending_us() == 0) {
        pump_.stop();
        if (speaking_) {
            speaking_ = false;
            emit finished();
        }
    }
}

void SynthesizedSpeechOutput::stop() {
    ++epoch_;
    synthesizing_ = false;
    to_synthesize_.clear();
    ready_.clear();
    pump_.stop();
    speaking_ = false;
    sink_->discard();
    reference_->discard_after(FarEndReference::clock_us());
}

}  // namespace prism::ui
