#include "prism/subtitles.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace prism {
namespace {

// Whisper's segments begin with the space that separated them from the previous word.
std::string cue_text(const std::string& s) {
    const auto first = s.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first);
}

}  // namespace

std::string subtitle_time(double seconds, char decimal_mark) {
    const auto ms = static_cast<long long>(std::llround(std::max(0.0, seconds) * 1000.0));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60,
                  ms / 1000 % 60, decimal_mark, ms % 1000);
    return buf;
}

std::string to_srt(const Transcript& transcript) {
    std::string out;
    for (std::size_t i = 0; i < transcript.segments.size(); ++i) {
        const auto& s = transcript.segments[i];
        out += std::to_string(i + 1) + "\n" + subtitle_time(s.start, ',') + " --> " +
               subtitle_time(s.end, ',') + "\n" + cue_text(s.text) + "\n\n";
    }
    return out;
}

std::string to_vtt(const Transcript& transcript) {
    std::string out = "WEBVTT\n\n";
    for (const auto& s : transcript.segments)
        out += subtitle_time(s.start, '.') + " --> " + subtitle_time(s.end, '.') + "\n" +
               cue_text(s.text) + "\n\n";
    return out;
}

}  // namespace prism
