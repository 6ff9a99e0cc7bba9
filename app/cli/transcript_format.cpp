#include "cli/transcript_format.hpp"

#include <cmath>
#include <cstdio>

namespace prism::cli {
namespace {

std::string trimmed(const std::string& s) {
    const auto first = s.find_first_not_of(' ');
    return first == std::string::npos ? std::string() : s.substr(first);
}

std::string json_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
                    out += buf;
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    return buf;
}

}  // namespace

std::string subtitle_time(double seconds, char decimal_mark) {
    const auto ms = static_cast<long long>(std::llround(std::max(0.0, seconds) * 1000.0));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60,
                  ms / 1000 % 60, decimal_mark, ms % 1000);
    return buf;
}

std::string format_transcript(const Transcript& t, TranscriptFormat format,
                              const std::string& file_name) {
    std::string out;
    switch (format) {
        case TranscriptFormat::text:
            out = t.text();
            if (!out.empty()) out += "\n";
            break;
        case TranscriptFormat::srt:
            for (std::size_t i = 0; i < t.segments.size(); ++i) {
                const auto& s = t.segments[i];
                out += std::to_string(i + 1) + "\n" + subtitle_time(s.start, ',') + " --> " +
                       subtitle_time(s.end, ',') + "\n" + trimmed(s.text) + "\n\n";
            }
            break;
        case TranscriptFormat::vtt:
            out = "WEBVTT\n\n";
            for (const auto& s : t.segments) {
                out += subtitle_time(s.start, '.') + " --> " + subtitle_time(s.end, '.') + "\n" +
                       trimmed(s.text) + "\n\n";
            }
            break;
        case TranscriptFormat::json: {
            out = "{\"file\": " + json_string(file_name) +
                  ", \"language\": " + json_string(t.language) +
                  ", \"text\": " + json_string(t.text()) + ", \"segments\": [";
            for (std::size_t i = 0; i < t.segments.size(); ++i) {
                const auto& s = t.segments[i];
                out += std::string(i ? ", " : "") + "{\"start\": " + number(s.start) +
                       ", \"end\": " + number(s.end) + ", \"text\": " + json_string(s.text) +
                       ", \"tokens\": [";
                for (std::size_t k = 0; k < s.tokens.size(); ++k)
                    out += (k ? ", " : "") + std::to_string(s.tokens[k]);
                out += "]}";
            }
            out += "]}\n";
            break;
        }
    }
    return out;
}

}  // namespace prism::cli
