// Echo cancellation for live mode, on the offscreen platform without a sound card: Prism's own
// spoken answer (espeak-ng), played through a simulated room (a 55-ms delay, gain 0.45 and a
// decaying tail of reflections) into the microphone, is removed by the speexdsp canceller
// before the Silero voice activity detector hears it, while a user speaking over it is still
// heard, also while the canceller still learns the room (double talk); the speech output
// plays through a memory speaker in 10-ms blocks, writes the same samples to the far-end
// reference, and falls silent within a block of stop().

#include <QAudioDevice>
#include <QMediaDevices>
#include <QSignalSpy>
#include <QtTest>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "app_context.hpp"
#include "data/settings_store.hpp"
#include "engine_controller.hpp"
#include "live_controller.hpp"
#include "live_echo_canceller.hpp"
#include "live_echo_reference.hpp"
#include "live_echo_room.hpp"
#include "live_listener.hpp"
#include "live_settings.hpp"
#include "live_speech_output.hpp"
#include "live_test_support.hpp"
#include "pcm_resample.hpp"
#include "prism/media/audio.hpp"
#include "prism/transcriber.hpp"
#include "prism/vad.hpp"
#include "prism/vad/speech_stream.hpp"
#include "speaker_sink.hpp"
#include "speech_synthesis.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

constexpr int kRate = 16000;

// An answer as the live view speaks it: a few short sentences, about 7 s.
const QString kAnswer = QStringLiteral(
    "I can see a red cup on a wooden table. There is a window behind it, and the light comes "
    "from the left. Would you like me to describe the room in more detail?");

std::vector<std::int16_t> synthesized(const QString& text) {
    SynthesizedSpeech s = synthesize_speech(text, kRate);
    return std::move(s.samples);
}

std::vector<float> to_float(std::span<const std::int16_t> x) {
    std::vector<float> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(x[i]) / 32768.0f;
    return out;
}

double energy(std::span<const std::int16_t> x, std::size_t from) {
    double e = 0;
    for (std::size_t i = from; i < x.size(); ++i) e += double(x[i]) * x[i];
    return e;
}

// Echo return loss enhancement: how much quieter the echo is after cancellation, in dB.
double erle_db(std::span<const std::int16_t> before, std::span<const std::int16_t> after,
               std::size_t from) {
    return 10.0 * std::log10(energy(before, from) / std::max(1.0, energy(after, from)));
}

const vad::VoiceActivityDetector& detector() {
    static const vad::VoiceActivityDetector d = vad::VoiceActivityDetector::load(
        test_data_path(QStringLiteral("vad/silero-v6.2.0-ggml.bin")).toStdString());
    return d;
}

std::vector<vad::SpeechSegment> speech_in(std::span<const std::int16_t> pcm) {
    const std::vector<float> x = to_float(pcm);
    return vad::detect_speech(detector(), x);
}

QString describe(const std::vector<vad::SpeechSegment>& segments) {
    QStringList parts;
    for (const auto& s : segments)
        parts.append(QStringLiteral("%1-%2 s")
                         .arg(double(s.begin) / kRate, 0, 'f', 2)
                         .arg(double(s.end) / kRate, 0, 'f', 2));
    return parts.join(QStringLiteral(", "));
}

// Measured with speexdsp 1.2.1 (Debian 12) on this room over the second answer: see
// docs/architecture.md; the bound is a few dB under it.
constexpr double kMinErleDb = 32.0;

// What the speaker plays in the tests: two answers a second apart.
struct Conversation {
    std::vector<std::int16_t> played;
    std::size_t second_answer = 0;  // where the second one starts
};

Conversation conversation() {
    Conversation c;
    c.played = synthesized(QStringLiteral(
        "Hello. I am looking through your camera now, and I will tell you what I see."));
    c.played.insert(c.played.end(), kRate, 0);
    c.second_answer = c.played.size();
    const std::vector<std::int16_t> answer = synthesized(kAnswer);
    c.played.insert(c.played.end(), answer.begin(), answer.end());
    return c;
}

// silero-vad's speech segment (default options) in a clip's reference file, in samples.
std::pair<std::int64_t, std::int64_t> reference_segment(const QString& file) {
    QFile f(test_data_path(file));
    if (!f.open(QIODevice::ReadOnly)) return {0, 0};
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (qsizetype i = 0; i + 1 < lines.size(); ++i) {
        if (!lines[i].startsWith("segments default ")) continue;
        const QList<QByteArray> span = lines[i + 1].split(' ');
        return {span.value(0).toLongLong(), span.value(1).toLongLong()};
    }
    return {0, 0};
}

QString words_only(const QString& text) {
    QString out;
    for (const QChar ch : text.toLower())
        if (ch.isLetterOrNumber() || ch == u' ') out.append(ch);
    return out.simplified();
}

// The room in real time: a microphone whose sound, every 20 ms, is what the memory speaker
// played, through the room (the same reflections as room_echo), plus hiss.
class RoomMicrophone : public SampleSource {
  public:
    explicit RoomMicrophone(const MemorySpeakerSink& speaker) : speaker_(speaker) {
        std::vector<std::int16_t> impulse(kRate / 5, 0);
        impulse[0] = 32767;
        const std::vector<double> response = room_echo(impulse, 55, 0.45);
        for (std::size_t i = 0; i < response.size(); ++i)
            if (response[i] != 0) taps_.push_back({std::int64_t(i), response[i] / 32767.0});
        timer_.setTimerType(Qt::PreciseTimer);
        connect(&timer_, &QTimer::timeout, this, &RoomMicrophone::tick);
    }

    void start() override {
        if (timer_.isActive()) return;
        start_us_ = FarEndReference::clock_us();
        emitted_ = 0;
        timer_.start(20);
    }
    void stop() override { timer_.stop(); }
    bool active() const override { return timer_.isActive(); }
    QString description() const override { return QStringLiteral("the simulated room"); }

  private:
    double heard_at(std::int64_t index) const {
        for (const MemorySpeakerSink::Heard& h : speaker_.heard()) {
            const std::int64_t at = index - FarEndReference::index_at(h.audible_us);
            if (at >= 0 && at < std::int64_t(h.samples.size())) return h.samples[std::size_t(at)];
        }
        return 0;
    }
    void tick() {
        const std::int64_t first = FarEndReference::index_at(start_us_) + emitted_;
        const std::int64_t count = FarEndReference::index_at(FarEndReference::clock_us()) - first;
        if (count <= 0) return;
        QList<float> chunk(count);
        for (std::int64_t j = 0; j < count; ++j) {
            double x = 16.0 * hiss_.next();
            for (const auto& [delay, gain] : taps_) x += gain * heard_at(first + j - delay);
            chunk[j] = static_cast<float>(x / 32768.0);
        }
        emitted_ += count;
        emit samples(chunk);
    }

    const MemorySpeakerSink& speaker_;
    std::int64_t start_us_ = 0;
    std::int64_t emitted_ = 0;
    std::vector<std::pair<std::int64_t, double>> taps_;
    RoomNoise hiss_{4242};
    QTimer timer_;
};

// Where the voice activity worker's stream (live mode's options: 500 ms end of turn) first
// says speech started in `sound`, in samples of the stream; -1 when it never does.
std::int64_t speech_started_at(std::span<const std::int16_t> sound) {
    vad::SegmenterOptions options;
    options.min_silence_ms = 500;
    vad::SpeechStream stream(detector(), options);
    const std::vector<float> x = to_float(sound);
    for (std::size_t i = 0; i < x.size(); i += EchoCanceller::kFrameSamples) {
        const std::size_t n = std::min<std::size_t>(EchoCanceller::kFrameSamples, x.size() - i);
        for (const vad::SpeechEvent& e : stream.push(std::span(x).subspan(i, n)))
            if (e.kind == vad::SpeechEvent::Kind::started) return e.segment.end;
    }
    return -1;
}

double rms_dbfs(std::span<const double> x) {
    double e = 0;
    for (double v : x) e += v * v;
    return 10.0 * std::log10(e / double(x.size()) / (32768.0 * 32768.0));
}

// The speech output without its reference: live mode as it was before echo cancellation.
class UnreferencedSpeechOutput : public SynthesizedSpeechOutput {
  public:
    using SynthesizedSpeechOutput::SynthesizedSpeechOutput;
    std::shared_ptr<FarEndReference> far_end_reference() const override { return {}; }
};

class EchoCancellationTest : public QObject {
    Q_OBJECT

  private slots:
    void espeakSpeaksASentence() {
        QVERIFY2(speech_synthesis_unavailable().isEmpty(),
                 qPrintable(speech_synthesis_unavailable()));
        const QString sentence = QStringLiteral("The quick brown fox jumps over the lazy dog.");
        const SynthesizedSpeech s = synthesize_speech(sentence, kRate);
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QCOMPARE(s.sample_rate, kRate);
        // Nine words at espeak-ng's 175 words a minute: about 3 s with the pauses.
        const double seconds = double(s.samples.size()) / kRate;
        QVERIFY2(seconds > 1.5 && seconds < 4.5, qPrintable(QString::number(seconds)));
        // Not silent: most 20-ms frames are louder than -40 dBFS.
        int loud = 0, frames = 0;
        for (std::size_t i = 0; i + 320 <= s.samples.size(); i += 320, ++frames) {
            double e = 0;
            for (std::size_t j = i; j < i + 320; ++j) e += double(s.samples[j]) * s.samples[j];
            if (std::sqrt(e / 320) > 327.68) ++loud;
        }
        QVERIFY2(loud > frames / 2, qPrintable(QStringLiteral("%1 of %2").arg(loud).arg(frames)));
        // The Silero detector hears it as speech.
        QVERIFY(!speech_in(s.samples).empty());
        // Another rate: the same length in time.
        const SynthesizedSpeech at48 = synthesize_speech(sentence, 48000);
        QVERIFY(std::abs(double(at48.samples.size()) / 48000 - seconds) < 0.01);
        // Nothing to say: no sound, no error.
        const SynthesizedSpeech empty = synthesize_speech(QStringLiteral("  "), kRate);
        QVERIFY(empty.samples.empty());
        QVERIFY(empty.error.isEmpty());
    }

    // Two answers with a second of silence between them, as in a conversation: the canceller
    // learns the room during the first and keeps what it learned.
    void theCancellerRemovesTheEchoOfAnAnswer() {
        const Conversation c = conversation();
        const std::vector<std::int16_t> mic = room_pcm(room_microphone(c.played));
        const std::vector<std::int16_t> far(c.played.begin(), c.played.begin() + mic.size());
        EchoCanceller canceller;
        const std::vector<std::int16_t> out = canceller.process(mic, far);
        const auto second = [&](std::span<const std::int16_t> x) {
            return x.subspan(c.second_answer, x.size() - c.second_answer);
        };
        const double erle = erle_db(second(mic), second(out), 0);
        qInfo("echo return loss enhancement over the second answer: %.1f dB", erle);
        QVERIFY2(erle >= kMinErleDb, qPrintable(QString::number(erle)));

        // The detector hears the echo as speech before cancellation and nothing after, in
        // either answer (the first is muted while the canceller learns).
        const auto before = speech_in(second(mic));
        const auto after = speech_in(out);
        QVERIFY2(!before.empty(), "the echo alone must sound like speech to the detector");
        QVERIFY2(after.empty(), qPrintable(describe(after)));
        QVERIFY(!canceller.learning());
    }

    // The canceller mutes the far end's first seconds while it learns the room, and says
    // when it has learned it (within the first answer here); then the cleaned sound (echo
    // residue and hiss) comes through.
    void theFirstSecondsAreMutedWhileTheCancellerLearns() {
        const Conversation c = conversation();
        const std::vector<std::int16_t> mic = room_pcm(room_microphone(c.played));
        const std::vector<std::int16_t> far(c.played.begin(), c.played.begin() + mic.size());
        EchoCanceller canceller;
        std::vector<std::int16_t> out(mic.size());
        std::size_t learned_at = 0;
        constexpr std::size_t kFrame = EchoCanceller::kFrameSamples;
        for (std::size_t i = 0; i < mic.size(); i += kFrame) {
            const bool learning = canceller.learning();
            canceller.process_frame(std::span(mic).subspan(i, kFrame),
                                    std::span(far).subspan(i, kFrame),
                                    std::span(out).subspan(i, kFrame));
            if (learning && !canceller.learning()) learned_at = i + kFrame;
        }
        qInfo("learned the room after %.2f s", double(learned_at) / kRate);
        QVERIFY(learned_at >= std::size_t(EchoCanceller::kMinLearningMs) * kRate / 1000);
        QVERIFY(learned_at < c.second_answer);
        // Muted while learning: nothing comes through but, where the far end was silent or
        // nearly so for a whole tail, the microphone's hiss (at most 16) and the faint echo of
        // espeak-ng's quietest samples: under -54 dBFS.
        std::int16_t loudest = 0;
        for (std::size_t i = 0; i < learned_at; ++i)
            loudest = std::max<std::int16_t>(loudest, static_cast<std::int16_t>(std::abs(out[i])));
        QVERIFY2(loudest <= 64, qPrintable(QString::number(loudest)));
        QVERIFY(energy(std::span(out).subspan(learned_at, kRate), 0) > 0);
    }

    // The user speaks over the second answer: the detector still finds the words, where they
    // are, and Whisper still understands them.
    void speechOverTheEchoIsStillHeard() {
        const Conversation c = conversation();
        std::vector<double> room = room_microphone(c.played);
        const media::Audio user = media::decode_audio_file(
            test_data_path(QStringLiteral("audio/2830-3980-0043.wav")).toStdString());
        const std::size_t at = c.second_answer + 2 * kRate;
        QVERIFY(at + user.samples.size() < room.size());
        for (std::size_t i = 0; i < user.samples.size(); ++i)
            room[at + i] += 32768.0 * user.samples[i];
        const std::vector<std::int16_t> mic = room_pcm(room);
        const std::vector<std::int16_t> far(c.played.begin(), c.played.begin() + mic.size());
        EchoCanceller canceller;
        const std::vector<std::int16_t> out = canceller.process(mic, far);

        const auto tail = std::span(out).subspan(c.second_answer);
        const auto segments = speech_in(tail);
        // One segment, where silero-vad finds the words in the clip alone (within 50 ms).
        const auto [begin, end] = reference_segment(QStringLiteral("vad/2830-3980-0043.vad.ref"));
        QVERIFY(end > begin);
        const std::int64_t offset = std::int64_t(at - c.second_answer);
        QVERIFY2(segments.size() == 1, qPrintable(describe(segments)));
        QVERIFY2(std::abs(segments[0].begin - offset - begin) < kRate / 20 &&
                     std::abs(segments[0].end - offset - end) < kRate / 20,
                 qPrintable(describe(segments)));

        if (const QString why = whisper_test_unavailable(); !why.isEmpty()) QSKIP(qPrintable(why));
        Transcriber whisper(whisper_model_path().toStdString());
        TranscribeOptions options;
        options.timestamps = false;
        options.temperatures = {0.0f};
        const std::vector<float> heard = to_float(tail.subspan(
            std::size_t(segments[0].begin), std::size_t(segments[0].end - segments[0].begin)));
        const QString text = QString::fromStdString(whisper.transcribe(heard, options).text());
        QCOMPARE(words_only(text), QStringLiteral("experience proves this"));
    }

    // While the canceller learns (up to 5 s of far-end sound), the echo alone never gets
    // through to the detector: two different first answers, each from a fresh canceller.
    void theEchoAloneNeverInterruptsWhileTheCancellerLearns() {
        const std::vector<std::vector<std::int16_t>> answers{conversation().played,
                                                             synthesized(kAnswer)};
        for (const std::vector<std::int16_t>& played : answers) {
            const std::vector<std::int16_t> mic = room_pcm(room_microphone(played));
            const std::vector<std::int16_t> far(played.begin(), played.begin() + mic.size());
            EchoCanceller canceller;
            std::vector<std::int16_t> out(mic.size());
            std::size_t learned_at = 0;
            for (std::size_t i = 0; i < mic.size(); i += EchoCanceller::kFrameSamples) {
                canceller.process_frame(std::span(mic).subspan(i, EchoCanceller::kFrameSamples),
                                        std::span(far).subspan(i, EchoCanceller::kFrameSamples),
                                        std::span(out).subspan(i, EchoCanceller::kFrameSamples));
                if (learned_at == 0 && !canceller.learning()) learned_at = i;
            }
            qInfo("learned after %.2f s; the echo came %.1f dB under the user's threshold at most",
                  double(learned_at) / kRate, -canceller.closest_to_user_db());
            QVERIFY(learned_at > std::size_t(kRate));
            QCOMPARE(canceller.user_frames(), std::int64_t{0});
            const std::span<const std::int16_t> learning(out.data(), learned_at);
            QCOMPARE(speech_started_at(learning), std::int64_t{-1});
        }
    }

    // A user who talks over the first answer 1 s into it, while the canceller still learns,
    // interrupts it: the detector says speech started at most 100 ms later than it does for
    // the same words with no answer playing. Three LibriSpeech clips at their own level,
    // about as loud as the answer's echo at the microphone.
    void theUserInterruptsWhileTheCancellerLearns() {
        const std::vector<std::int16_t> played = synthesized(kAnswer);
        const std::vector<double> echo = room_microphone(played);
        const std::size_t at = kRate;  // 1 s into the answer
        for (const char* clip : {"2830-3980-0043", "4507-16021-0012", "8455-210777-0068"}) {
            const media::Audio user = media::decode_audio_file(
                test_data_path(QStringLiteral("audio/%1.wav").arg(QLatin1String(clip)))
                    .toStdString());
            QVERIFY(at + user.samples.size() < echo.size());
            std::vector<double> voice(echo.size(), 0.0);
            for (std::size_t i = 0; i < user.samples.size(); ++i)
                voice[at + i] = 32768.0 * user.samples[i];
            std::vector<double> room = echo, alone(echo.size(), 0.0);
            RoomNoise hiss{777};
            for (std::size_t i = 0; i < room.size(); ++i) {
                room[i] += voice[i];
                alone[i] = voice[i] + 16.0 * hiss.next();
            }
            const std::span<const double> spoken(voice.data() + at, user.samples.size());
            const std::span<const double> echoed(echo.data() + at, user.samples.size());

            // Without the answer: where the detector hears the words begin.
            const std::int64_t onset = speech_started_at(room_pcm(alone));
            QVERIFY(onset > std::int64_t(at));
            const std::vector<std::int16_t> mic = room_pcm(room);
            const std::vector<std::int16_t> far(played.begin(), played.begin() + mic.size());
            EchoCanceller canceller;
            std::vector<std::int16_t> out(mic.size());
            bool learning_at_onset = false;
            for (std::size_t i = 0; i < mic.size(); i += EchoCanceller::kFrameSamples) {
                if (i <= std::size_t(onset) &&
                    std::size_t(onset) < i + EchoCanceller::kFrameSamples)
                    learning_at_onset = canceller.learning();
                canceller.process_frame(std::span(mic).subspan(i, EchoCanceller::kFrameSamples),
                                        std::span(far).subspan(i, EchoCanceller::kFrameSamples),
                                        std::span(out).subspan(i, EchoCanceller::kFrameSamples));
            }
            const std::int64_t barge_in = speech_started_at(out);
            qInfo(
                "%s: voice %.1f dBFS, echo %.1f dBFS over it; speech heard alone at %.3f s, "
                "over the answer at %.3f s (%+.0f ms; %lld frames taken for the user)",
                clip, rms_dbfs(spoken), rms_dbfs(echoed), double(onset) / kRate,
                double(barge_in) / kRate, double(barge_in - onset) * 1000.0 / kRate,
                static_cast<long long>(canceller.user_frames()));
            QVERIFY2(learning_at_onset,
                     "the canceller must still be learning when the user speaks");
            QVERIFY(barge_in > 0);
            QVERIFY2(
                barge_in - onset <= kRate / 10,
                qPrintable(QStringLiteral("%1 ms late").arg((barge_in - onset) * 1000 / kRate)));
        }
    }

    // The live path: the speaker's blocks stamped with when they are heard, the microphone's
    // chunks with when they arrive (2-25 ms late, as an event loop delivers them); the filter
    // lines them up on the clock. A reference stamped 300 ms late (later than the echo) is the
    // control: the canceller cannot use it.
    void theMicrophoneFilterAlignsByTheClock() {
        const Conversation c = conversation();
        const std::vector<std::int16_t> mic = room_pcm(room_microphone(c.played));
        // Chunks of two frames, so that each chunk's cleaned sound comes back with it.
        constexpr std::size_t kChunk = 2 * EchoCanceller::kFrameSamples;
        // `gap`: microphone samples never pushed (the microphone stalled).
        const auto run = [&](std::int64_t stamp_error_us, std::pair<std::size_t, std::size_t> gap) {
            auto reference = std::make_shared<FarEndReference>();
            const std::int64_t t0 = 1'000'000'000;  // the microphone's first sample
            RoomNoise jitter{99};
            for (std::size_t i = 0; i < c.played.size(); i += 160) {
                const std::int64_t heard = t0 + std::int64_t(i) * 1'000'000 / kRate;
                reference->played(
                    std::span(c.played).subspan(i, std::min<std::size_t>(160, c.played.size() - i)),
                    heard + stamp_error_us + std::lround(3000 * jitter.next()));
            }
            MicrophoneEchoFilter filter(reference);
            std::vector<std::int16_t> out(mic.size(), 0);
            // Measured over the second answer once the canceller no longer mutes.
            std::size_t from = c.second_answer;
            for (std::size_t i = 0; i + kChunk <= mic.size(); i += kChunk) {
                if (i >= gap.first && i < gap.second) continue;
                const std::vector<float> chunk = to_float(std::span(mic).subspan(i, kChunk));
                const std::int64_t captured = t0 + std::int64_t(i + kChunk) * 1'000'000 / kRate;
                const std::int64_t late = 2000 + std::lround(11500 * (1 + jitter.next()));
                const std::vector<float> cleaned = filter.push(chunk, captured + late);
                for (std::size_t j = 0; j < cleaned.size(); ++j)
                    out[i + j] = static_cast<std::int16_t>(std::lround(cleaned[j] * 32768.0f));
                if (filter.learning()) from = std::max(from, i + kChunk);
            }
            const std::size_t n = mic.size() / kChunk * kChunk - from;
            return erle_db(std::span(mic).subspan(from, n), std::span(out).subspan(from, n), 0);
        };
        const double aligned = run(0, {0, 0});
        const double late = run(300'000, {0, 0});
        // Nothing pushed for the 0.8 s before the second answer: the filter finds the timing
        // again and learns the shifted echo path (measured 11-15 dB: not yet at its best).
        const double after_gap = run(0, {c.second_answer - kRate * 4 / 5, c.second_answer});
        qInfo(
            "over the clock: %.1f dB; after a gap in the pushed sound: %.1f dB; with the "
            "reference 300 ms late: %.1f dB",
            aligned, after_gap, late);
        QVERIFY2(aligned >= kMinErleDb, qPrintable(QString::number(aligned)));
        QVERIFY2(after_gap >= 8, qPrintable(QString::number(after_gap)));
        QVERIFY2(late < 10, qPrintable(QString::number(late)));
    }

    // The speech output plays each sentence through its speaker, in real time, and hands the
    // same sound, stamped with when it is heard, to the far-end reference.
    void theSpeechOutputReferencesWhatItPlays() {
        auto sink = std::make_unique<MemorySpeakerSink>(MemorySpeakerSink::Pace::real_time);
        MemorySpeakerSink* speaker = sink.get();
        SynthesizedSpeechOutput output(std::move(sink));
        QVERIFY2(output.unavailable_reason().isEmpty(), qPrintable(output.unavailable_reason()));
        QSignalSpy started(&output, &SpeechOutput::sentenceStarted);
        QSignalSpy finished(&output, &SpeechOutput::finished);
        const QStringList sentences{QStringLiteral("Yes."), QStringLiteral("It is blue.")};
        for (const QString& s : sentences) output.say(s);
        QVERIFY(output.busy());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY(!output.busy());
        QCOMPARE(started.count(), 2);
        QCOMPARE(started[1][0].toString(), sentences[1]);

        // Both sentences were heard (espeak-ng varies a sentence by a few ms from one call to
        // the next, so the length is compared, not the samples).
        std::size_t expected = 0;
        for (const QString& s : sentences) expected += synthesized(s).size();
        std::vector<std::int16_t> heard;
        for (const auto& stretch : speaker->heard())
            heard.insert(heard.end(), stretch.samples.begin(), stretch.samples.end());
        QVERIFY2(
            std::abs(double(heard.size()) / double(expected) - 1.0) < 0.1,
            qPrintable(QStringLiteral("%1 heard, %2 synthesized").arg(heard.size()).arg(expected)));
        // The reference holds the same samples where the speaker played them (within the
        // microseconds between the two clock readings of one write).
        const MemorySpeakerSink::Heard& first = speaker->heard()[0];
        const std::int64_t at = FarEndReference::index_at(first.audible_us);
        std::vector<std::int16_t> reference(first.samples.size() + 64);
        output.far_end_reference()->read(at - 32, reference);
        int offset = -1;
        for (int k = 28; k <= 36 && offset < 0; ++k)
            if (std::equal(first.samples.begin(), first.samples.end(), reference.begin() + k))
                offset = k;
        QVERIFY2(offset >= 0, "the reference is not what the speaker played");
    }

    // Barge-in: stop() drops what is queued at once; nothing more reaches the speaker or the
    // reference, and at most the 60 ms handed ahead (plus a block) is cut off unheard.
    void stopSilencesTheSpeakerAtOnce() {
        auto sink = std::make_unique<MemorySpeakerSink>(MemorySpeakerSink::Pace::real_time);
        MemorySpeakerSink* speaker = sink.get();
        SynthesizedSpeechOutput output(std::move(sink));
        QSignalSpy started(&output, &SpeechOutput::sentenceStarted);
        QSignalSpy finished(&output, &SpeechOutput::finished);
        output.say(kAnswer);
        output.say(QStringLiteral("This sentence is never heard."));
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 5000);
        QTest::qWait(400);
        const std::int64_t written = speaker->samples_heard();
        output.stop();
        const std::int64_t heard = speaker->samples_heard();
        QVERIFY(!output.busy());
        QVERIFY2(heard > kRate / 4, qPrintable(QString::number(heard)));
        QVERIFY2(written - heard <= kRate * 70 / 1000,
                 qPrintable(QStringLiteral("%1 samples cut").arg(written - heard)));
        const std::int64_t stopped_at = FarEndReference::clock_us();
        QTest::qWait(200);
        QCOMPARE(speaker->samples_heard(), heard);
        QCOMPARE(started.count(), 1);
        QCOMPARE(finished.count(), 0);
        std::vector<std::int16_t> after(kRate / 5);
        output.far_end_reference()->read(FarEndReference::index_at(stopped_at), after);
        QVERIFY(std::all_of(after.begin(), after.end(), [](std::int16_t x) { return x == 0; }));
    }

    // Without a sound card (this test machine, CI) the default output says so and stays idle.
    void withoutASoundCardTheOutputSaysSo() {
        if (!QMediaDevices::audioOutputs().isEmpty())
            QSKIP("this machine has a sound output; the case is a machine without one");
        DeviceSpeakerSink device;
        QVERIFY(device.unavailable_reason().contains(QStringLiteral("No sound output device")));
        SynthesizedSpeechOutput output;
        QCOMPARE(output.unavailable_reason(), device.unavailable_reason());
        output.say(QStringLiteral("Hello."));
        QVERIFY(!output.busy());
    }

    // The whole path on the clock: the speech output plays into the memory speaker, the room
    // carries it to the microphone, and the voice activity worker (the detector behind the
    // echo filter, as in live mode) hears no speech in either sentence. Without the
    // reference, the first sentence alone already sounds like the user speaking.
    void theListenerDoesNotHearTheSpokenAnswer() {
        for (const bool cancel : {false, true}) {
            auto sink = std::make_unique<MemorySpeakerSink>(MemorySpeakerSink::Pace::real_time);
            MemorySpeakerSink* speaker = sink.get();
            SynthesizedSpeechOutput output(std::move(sink));
            VoiceActivityWorker listener;
            QSignalSpy loaded(&listener, &VoiceActivityWorker::loaded);
            listener.load(test_data_path(QStringLiteral("vad/silero-v6.2.0-ggml.bin")), 500);
            QVERIFY(loaded.count() == 1 && loaded[0][0].toBool());
            if (cancel) listener.set_echo_reference(output.far_end_reference());
            QSignalSpy heard(&listener, &VoiceActivityWorker::speechStarted);
            QSignalSpy started(&output, &SpeechOutput::sentenceStarted);
            QSignalSpy finished(&output, &SpeechOutput::finished);
            RoomMicrophone room(*speaker);
            connect(&room, &SampleSource::samples, &listener, [&listener](const QList<float>& c) {
                listener.push(c, FarEndReference::clock_us(), true);
            });
            room.start();
            output.say(QStringLiteral("Hello, I am looking through your camera now."));
            output.say(QStringLiteral("There is a red cup on the table."));
            if (!cancel) {
                QTRY_VERIFY_WITH_TIMEOUT(heard.count() > 0, 4000);
                continue;
            }
            QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
            QTest::qWait(300);  // the room's echo dies away
            QCOMPARE(started.count(), 2);
            QCOMPARE(heard.count(), 0);
        }
    }

    // Live mode itself: a typed question to the demo model, its answer spoken into the memory
    // speaker, the room's echo of it into live mode's microphone. With the canceller the
    // answer plays on uninterrupted (past the learning seconds); without it, live mode hears
    // its own voice and stops the answer (barge-in on itself).
    void liveModeDoesNotInterruptItself() {
        for (const bool cancel : {false, true}) {
            QTemporaryDir dir;
            AppContext app(profile_in(dir.path()));
            app.settings().setTemperature(0.0);
            app.live_settings().setSpeechModel(dir.filePath(QStringLiteral("no-whisper.gguf")));
            app.live_settings().setVadModel(
                test_data_path(QStringLiteral("vad/silero-v6.2.0-ggml.bin")));
            app.engine().loadModel(QStringLiteral(PRISM_RESOURCES_DIR "/models/stories260K.gguf"));
            QTRY_VERIFY_WITH_TIMEOUT(app.engine().modelLoaded(), 30000);
            auto sink = std::make_unique<MemorySpeakerSink>(MemorySpeakerSink::Pace::real_time);
            MemorySpeakerSink* speaker = sink.get();
            LiveController& live = app.live();
            live.set_sources(nullptr, std::make_unique<RoomMicrophone>(*speaker));
            if (cancel)
                live.set_speech_output(std::make_unique<SynthesizedSpeechOutput>(std::move(sink)));
            else
                live.set_speech_output(std::make_unique<UnreferencedSpeechOutput>(std::move(sink)));
            QSignalSpy interrupted(&live, &LiveController::interrupted);
            live.start();
            QTRY_VERIFY_WITH_TIMEOUT(live.hands_free_ready(), 10000);
            QVERIFY(live.ask(QStringLiteral("Tell me a story.")));
            if (!cancel) {
                QTRY_VERIFY_WITH_TIMEOUT(interrupted.count() > 0, 8000);
                live.stop();
                continue;
            }
            // Six seconds of the answer heard (the canceller learns in the first four), or all
            // of it if shorter.
            QTRY_VERIFY_WITH_TIMEOUT(
                speaker->samples_heard() > kRate * 6 ||
                    (live.turnCount() == 1 && !live.turns()[0].stop_reason.isEmpty() &&
                     live.state() == LiveController::State::Watching),
                30000);
            qInfo("%.1f s of the answer heard", double(speaker->samples_heard()) / kRate);
            QVERIFY(speaker->samples_heard() > kRate * 5);
            QCOMPARE(interrupted.count(), 0);
            QVERIFY(!live.turns()[0].interrupted);
            live.stop();
        }
    }

    // Wrong sizes are refused with a message, and the reference stays bounded however long
    // the speaker plays without the microphone reading it (live mode without a microphone).
    void badInputIsRefusedAndTheReferenceStaysBounded() {
        EchoCanceller canceller;
        std::vector<std::int16_t> frame(EchoCanceller::kFrameSamples), shorter(100);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 canceller.process_frame(shorter, frame, frame));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, canceller.process(frame, shorter));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, EchoCanceller(0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resample_pcm(frame, 0, 16000));
        QVERIFY(resample_pcm({}, 22050, 16000).empty());

        FarEndReference reference;
        const std::vector<std::int16_t> block(160, 1000);
        for (std::int64_t i = 0; i < 60 * 100; ++i)  // a minute of 10-ms blocks
            reference.played(block, i * 10'000);
        QCOMPARE(reference.held(), FarEndReference::kMaxSamples);
        // Read far past it: everything is forgotten, and the read is silence.
        std::vector<std::int16_t> out(160, 7);
        reference.read(FarEndReference::index_at(3'600'000'000), out);
        QVERIFY(std::all_of(out.begin(), out.end(), [](std::int16_t x) { return x == 0; }));
        QCOMPARE(reference.held(), std::size_t(0));
    }
};

RegisterSuite<EchoCancellationTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_echo_cancellation.moc"
