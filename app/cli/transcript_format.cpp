#include "cli/transcript_format.hpp"

#include <cstdio>

#include "prism/subtitles.hpp"

namespace prism::cli {
namespace {

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

// Four decimals: enough to tell a sure language from a guess.
std::string probability(double p) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", p);
    return buf;
}

}  // namespace

std::string format_transcript(const Transcript& t, TranscriptFormat format,
                              const std::string& file_name) {
    std::string out;
    switch (format) {
        case TranscriptFormat::text:
            out = t.text();
            if (!out.empty()) out += "\n";
            break;
        case TranscriptFormat::srt:
            out = to_srt(t);
            break;
        case TranscriptFormat::vtt:
            out = to_vtt(t);
            break;
        case TranscriptFormat::json: {
            out = "{\"file\": " + json_string(file_name) +
                  ", \"language\": " + json_string(t.language) +
                  ", \"language_probability\": " + probability(t.language_probability) +
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
