// get_speech_timestamps (silero-vad 6.2, utils_vad.py) as a stream. The reference runs in two
// passes: hysteresis over the probabilities gives raw segments, then each is padded, by half
// the gap where a neighbour is closer than twice the padding. Here a segment's start is final
// once it is sure to be kept (its span already exceeds min_speech), and its end once the next
// kept start is known or can no longer come within twice the padding, so the stream gives the
// reference's segments, each as soon as it is settled.

#include "prism/vad/speech_segmenter.hpp"

#include <algorithm>
#include <string>

#include "prism/error.hpp"
#include "prism/vad/voice_activity_detector.hpp"

namespace prism::vad {
namespace {

constexpr std::int64_t kWindow = window_samples;

std::int64_t samples_of_ms(int ms) {
    return static_cast<std::int64_t>(ms) * sample_rate / 1000;
}

}  // namespace

void check_options(const SegmenterOptions& o) {
    check_value("threshold", o.threshold, segmenter_limits::threshold);
    if (!(o.negative_threshold < 0)) {  // NaN included: refused by check_value
        check_value("negative threshold", o.negative_threshold,
                    segmenter_limits::negative_threshold);
        if (o.negative_threshold > o.threshold) {
            throw Error("negative threshold is " + std::to_string(o.negative_threshold) +
                        "; it must not be above the threshold (" + std::to_string(o.threshold) +
                        ")");
        }
    }
    check_value("minimum speech (ms)", o.min_speech_ms, segmenter_limits::duration_ms);
    check_value("minimum silence (ms)", o.min_silence_ms, segmenter_limits::duration_ms);
    check_value("speech padding (ms)", o.speech_pad_ms, segmenter_limits::duration_ms);
}

SpeechSegmenter::SpeechSegmenter(const SegmenterOptions& options)
    : options_(options),
      negative_threshold_(options.negative_threshold >= 0
                              ? options.negative_threshold
                              : std::max(options.threshold - 0.15, 0.01)),
      min_speech_(samples_of_ms(options.min_speech_ms)),
      min_silence_(samples_of_ms(options.min_silence_ms)),
      pad_(samples_of_ms(options.speech_pad_ms)) {
    check_options(options);
}

std::vector<SpeechEvent> SpeechSegmenter::push(std::span<const float> window_probabilities) {
    std::vector<SpeechEvent> events;
    for (const float p : window_probabilities) step(p, events);
    return events;
}

void SpeechSegmenter::step(float probability, std::vector<SpeechEvent>& events) {
    const std::int64_t current = kWindow * windows_++;
    // The reference compares float32 probabilities with Python floats (doubles).
    const double p = probability;
    if (p >= options_.threshold && temp_end_ != 0) temp_end_ = 0;
    if (p >= options_.threshold && !triggered_) {
        triggered_ = true;
        confirmed_ = false;
        start_ = current;
    } else if (p < negative_threshold_ && triggered_) {
        if (temp_end_ == 0) temp_end_ = current;
        if (current - temp_end_ >= min_silence_) {
            close_segment(temp_end_, events);
            triggered_ = false;
            temp_end_ = 0;
        }
    }
    // The open segment's end can be no earlier than the silence that began, else than this
    // window's start (the window may be the stream's last, shorter one).
    if (triggered_ && !confirmed_ && (temp_end_ != 0 ? temp_end_ : current) - start_ > min_speech_)
        confirm(events);
    // A finished segment's padding is settled once no kept start can come within twice the
    // padding of its end (and the padded end lies inside the samples known to exist).
    if (pending_) {
        const std::int64_t earliest_start = triggered_ ? start_ : kWindow * windows_;
        if (earliest_start - pending_raw_end_ >= 2 * pad_ &&
            pending_raw_end_ + pad_ <= current + 1) {
            resolve_pending_end(-1, pending_raw_end_ + pad_, events);
        }
    }
}

void SpeechSegmenter::confirm(std::vector<SpeechEvent>& events) {
    std::int64_t begin = start_ - pad_;
    if (pending_) {
        const std::int64_t gap = start_ - pending_raw_end_;
        if (gap < 2 * pad_) begin = start_ - gap / 2;
        resolve_pending_end(start_, 0, events);
    }
    confirmed_ = true;
    open_begin_ = std::max<std::int64_t>(0, begin);
    events.push_back({SpeechEvent::Kind::started, {open_begin_, kWindow * windows_}});
}

void SpeechSegmenter::close_segment(std::int64_t raw_end, std::vector<SpeechEvent>& events) {
    if (raw_end - start_ <= min_speech_) return;  // too short: dropped, as the reference does
    if (!confirmed_) confirm(events);
    pending_ = true;
    pending_begin_ = open_begin_;
    pending_raw_end_ = raw_end;
}

// next_start >= 0: the next kept segment's raw start; otherwise there is none within twice
// the padding and the end is `limit` (the padded end, or the sound's end if sooner).
void SpeechSegmenter::resolve_pending_end(std::int64_t next_start, std::int64_t limit,
                                          std::vector<SpeechEvent>& events) {
    std::int64_t end = std::min(limit, pending_raw_end_ + pad_);
    if (next_start >= 0) {
        const std::int64_t gap = next_start - pending_raw_end_;
        end = gap < 2 * pad_ ? pending_raw_end_ + gap / 2 : pending_raw_end_ + pad_;
    }
    events.push_back({SpeechEvent::Kind::ended, {pending_begin_, end}});
    pending_ = false;
}

std::vector<SpeechEvent> SpeechSegmenter::finish(std::int64_t total_samples) {
    std::vector<SpeechEvent> events;
    if (triggered_ && total_samples - start_ > min_speech_) {
        if (!confirmed_) confirm(events);
        pending_ = true;
        pending_begin_ = open_begin_;
        pending_raw_end_ = total_samples;
    }
    if (pending_) resolve_pending_end(-1, total_samples, events);
    *this = SpeechSegmenter(options_);
    return events;
}

std::vector<SpeechSegment> speech_segments(std::span<const float> window_probabilities,
                                           std::int64_t total_samples,
                                           const SegmenterOptions& options) {
    SpeechSegmenter segmenter(options);
    std::vector<SpeechEvent> events = segmenter.push(window_probabilities);
    const std::vector<SpeechEvent> last = segmenter.finish(total_samples);
    events.insert(events.end(), last.begin(), last.end());
    std::vector<SpeechSegment> segments;
    for (const SpeechEvent& e : events) {
        if (e.kind == SpeechEvent::Kind::ended) segments.push_back(e.segment);
    }
    return segments;
}

std::vector<SpeechSegment> detect_speech(const VoiceActivityDetector& detector,
                                         std::span<const float> samples,
                                         const SegmenterOptions& options) {
    check_options(options);
    return speech_segments(detector.probabilities(samples),
                           static_cast<std::int64_t>(samples.size()), options);
}

}  // namespace prism::vad
