#include "live_echo_room.hpp"

#include <algorithm>
#include <cmath>

#include "live_echo_canceller.hpp"

namespace prism::ui {

std::vector<double> room_echo(const std::vector<std::int16_t>& played, int delay_ms, double gain) {
    constexpr int kRate = EchoCanceller::kSampleRate;
    struct Tap {
        std::size_t at;
        double gain;
    };
    std::vector<Tap> taps{{static_cast<std::size_t>(delay_ms * kRate / 1000), gain}};
    RoomNoise random;
    for (double ms = 2; ms < 60; ms += 2 + random.next()) {
        taps.push_back({static_cast<std::size_t>((delay_ms + ms) * kRate / 1000),
                        gain * 0.5 * std::exp(-ms / 15.0) * random.next()});
    }
    std::vector<double> mic(played.size(), 0.0);
    for (const Tap& t : taps)
        for (std::size_t i = t.at; i < mic.size(); ++i) mic[i] += t.gain * played[i - t.at];
    return mic;
}

std::vector<double> room_microphone(const std::vector<std::int16_t>& played, int delay_ms,
                                    double gain) {
    std::vector<double> mic = room_echo(played, delay_ms, gain);
    RoomNoise hiss{777};
    for (double& x : mic) x += 16.0 * hiss.next();
    mic.resize(mic.size() / EchoCanceller::kFrameSamples * EchoCanceller::kFrameSamples);
    return mic;
}

std::vector<std::int16_t> room_pcm(const std::vector<double>& x) {
    std::vector<std::int16_t> out(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        out[i] = static_cast<std::int16_t>(std::clamp(std::lround(x[i]), -32768L, 32767L));
    return out;
}

}  // namespace prism::ui
