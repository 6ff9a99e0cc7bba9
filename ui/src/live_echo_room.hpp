#pragma once

// A loudspeaker-to-microphone path without a room, for measuring the echo canceller where
// there is no sound card (its tests, prism-bench aec): the direct sound after a delay at a
// gain, then reflections every 1-3 ms over 60 ms decaying with a 15-ms time constant, and the
// microphone's own hiss. Deterministic, so every run hears the same room.

#include <cstdint>
#include <vector>

namespace prism::ui {

// A small deterministic noise source (the room's reflections, a microphone's hiss).
struct RoomNoise {
    std::uint32_t state = 12345;
    double next() {  // uniform in [-1, 1)
        state = state * 1664525u + 1013904223u;
        return static_cast<double>(state >> 8) / double(1u << 23) - 1.0;
    }
};

// What the microphone hears of `played` (16 kHz): the direct sound after `delay_ms` at
// `gain`, then the reflections. No hiss; same length as `played`.
std::vector<double> room_echo(const std::vector<std::int16_t>& played, int delay_ms, double gain);

// The microphone in the rooms the canceller is measured in: the echo after 55 ms at gain 0.45
// (unless given) plus hiss at -66 dBFS, cut to whole canceller frames.
std::vector<double> room_microphone(const std::vector<std::int16_t>& played, int delay_ms = 55,
                                    double gain = 0.45);

// The microphone's samples as 16-bit PCM, clipped at full scale.
std::vector<std::int16_t> room_pcm(const std::vector<double>& x);

}  // namespace prism::ui
