#pragma once

// How prism-cli transcribe writes a transcript: plain text, SubRip, WebVTT or
// JSON.

#include <string>

#include "prism/transcriber.hpp"

namespace prism::cli {

enum class TranscriptFormat { text, srt, vtt, json };

std::string format_transcript(const Transcript& t, TranscriptFormat format,
                              const std::string& file_name);

}  // namespace prism::cli
