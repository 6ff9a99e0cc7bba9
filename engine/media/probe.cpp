// Container probing: the header of a sound or video file is read (and, where the container
// states its sizes, checked against the file's length) without decoding a single frame.

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "media/audio_file_reader.hpp"
#include "media/container_truncation.hpp"
#include "media/ffmpeg_handles.hpp"
#include "media/media_input.hpp"
#include "prism/media/probe.hpp"

namespace prism::media {
namespace {

using namespace detail;

// The containers decode_audio_file and decode_video_file read, by FFmpeg demuxer name (the
// first of its names). Image demuxers are left out: a picture is not a sound or a video.
struct ProbedFormat {
    std::string_view demuxer;
    const char* label;
};
constexpr ProbedFormat probed_formats[] = {
    {"wav", "WAV"},      {"w64", "Wave64"}, {"aiff", "AIFF"},   {"mp3", "MP3"},
    {"flac", "FLAC"},    {"ogg", "Ogg"},    {"mov", "MP4/MOV"}, {"matroska", "Matroska/WebM"},
    {"aac", "AAC"},      {"avi", "AVI"},    {"caf", "CAF"},     {"mpegts", "MPEG-TS"},
    {"mpeg", "MPEG-PS"}, {"flv", "FLV"},    {"asf", "ASF/WMV"},
};

const ProbedFormat* probed_format(const AVInputFormat& format) {
    const std::string_view names = format.name;
    const std::string_view first = names.substr(0, names.find(','));
    const auto* found = std::find_if(std::begin(probed_formats), std::end(probed_formats),
                                     [&](const ProbedFormat& f) { return f.demuxer == first; });
    return found == std::end(probed_formats) ? nullptr : found;
}

// FFmpeg reads a single picture through an image demuxer ("png_pipe", long name "piped png
// sequence"); a user knows it as a PNG image.
std::string what_it_is(const AVInputFormat& format) {
    const std::string_view name = format.name;
    constexpr std::string_view pipe = "_pipe";
    if (name.size() > pipe.size() && name.ends_with(pipe)) {
        std::string kind(name.substr(0, name.size() - pipe.size()));
        std::transform(kind.begin(), kind.end(), kind.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        return "a " + kind + " image";
    }
    return format.long_name != nullptr ? format.long_name : format.name;
}

double stated_seconds(const AVFormatContext& format) {
    if (format.duration != AV_NOPTS_VALUE && format.duration > 0)
        return static_cast<double>(format.duration) / AV_TIME_BASE;
    double longest = 0;
    for (unsigned i = 0; i < format.nb_streams; ++i) {
        const AVStream& s = *format.streams[i];
        if (s.duration != AV_NOPTS_VALUE && s.duration > 0)
            longest = std::max(longest, static_cast<double>(s.duration) * av_q2d(s.time_base));
    }
    return longest;
}

MediaInfo probe(AVIOContext& io, std::string_view name) {
    if (const auto cut = find_container_truncation(io)) {
        fail(name, "the file is truncated: its " + cut->part + " is " +
                       std::to_string(cut->declared_bytes) + " bytes, the file holds " +
                       std::to_string(cut->present_bytes) + " of them");
    }
    const AVInputFormat* input = nullptr;
    int rc = av_probe_input_buffer2(&io, &input, "", nullptr, 0, 0);
    const ProbedFormat* probed = rc >= 0 && input != nullptr ? probed_format(*input) : nullptr;
    if (probed == nullptr) {
        fail(name, std::string("not a sound or video file Prism reads (WAV, MP3, FLAC, Ogg, "
                               "M4A, MP4, MOV, MKV, WebM, AVI, ...)") +
                       (input != nullptr ? ": the file is " + what_it_is(*input) : ""));
    }
    FormatContextPtr format =
        open_probed_container(io, input, std::string(probed->demuxer), probed->label, name);
    MediaInfo info;
    info.format = probed->label;
    info.duration_seconds = stated_seconds(*format);
    for (unsigned i = 0; i < format->nb_streams; ++i) {
        const AVStream& s = *format->streams[i];
        if (s.codecpar->codec_type == AVMEDIA_TYPE_AUDIO) info.has_audio = true;
        if (s.codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
            (s.disposition & AV_DISPOSITION_ATTACHED_PIC) == 0 && !info.has_video) {
            info.has_video = true;
            info.width = s.codecpar->width;
            info.height = s.codecpar->height;
        }
    }
    if (!info.has_audio && !info.has_video) fail(name, "the file holds no sound and no picture");
    return info;
}

}  // namespace

MediaInfo probe_media_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
    silence_ffmpeg_log();
    clear_ffmpeg_log();
    const std::string name = path.string();
    AudioFileReader reader(path, max_bytes);
    IoContextPtr io = make_custom_io(&reader, &AudioFileReader::read, &AudioFileReader::seek);
    return probe(*io, name);
}

}  // namespace prism::media
