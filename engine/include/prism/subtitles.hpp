#pragma once

// A transcript as subtitles: SubRip (.srt) and WebVTT (.vtt), one cue per segment. prism-cli
// transcribe and prism-server's /v1/audio/transcriptions write the same text.

#include <string>

#include "prism/transcriber.hpp"

namespace prism {

// "00:01:02,345" (SubRip, decimal_mark ',') or "00:01:02.345" (WebVTT, '.').
std::string subtitle_time(double seconds, char decimal_mark);

std::string to_srt(const Transcript& transcript);
std::string to_vtt(const Transcript& transcript);

}  // namespace prism
