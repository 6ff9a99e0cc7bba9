#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "media/ffmpeg_handles.hpp"

namespace prism::media::detail {
namespace {

// FFmpeg reports problems (and chatter) through av_log. Decoding runs on the caller's thread,
// so the last error line per thread is what a failed decode on that thread logged.
thread_local std::string last_error;
thread_local std::string all_errors;

void capture_log(void* avcl, int level, const char* format, va_list args) {
    if (level > AV_LOG_ERROR) return;
    char line[512];
    int print_prefix = 0;
    av_log_format_line2(avcl, level, format, args, line, sizeof line, &print_prefix);
    std::string text = line;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    if (text.empty()) return;
    if (!all_errors.empty()) all_errors += '\n';
    all_errors += text;
    last_error = std::move(text);
}

}  // namespace

void silence_ffmpeg_log() {
    static std::once_flag once;
    std::call_once(once, [] { av_log_set_callback(capture_log); });
}

std::string last_ffmpeg_error() {
    return last_error;
}

std::string ffmpeg_error_log() {
    return all_errors;
}

void clear_ffmpeg_log() {
    last_error.clear();
    all_errors.clear();
}

std::string ffmpeg_error_text(int code) {
    char text[AV_ERROR_MAX_STRING_SIZE] = {};
    av_strerror(code, text, sizeof text);
    return text;
}

}  // namespace prism::media::detail
