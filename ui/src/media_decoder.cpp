#include "media_decoder.hpp"

#include <QFileInfo>
#include <QSet>
#include <exception>

#include "prism/media/probe.hpp"
#include "prism/media/video.hpp"

namespace prism::ui {
namespace {

// The engine's messages start with the path it was given; a chip's error names the file as
// the image path does.
QString error_line(const QString& path, const std::exception& e) {
    QString message = QString::fromUtf8(e.what());
    if (message.startsWith(path)) message = QFileInfo(path).fileName() + message.mid(path.size());
    return message;
}

struct Poster {
    QImage image;
    QString error;
};

Poster poster_of(const QString& path) {
    Poster out;
    try {
        // Two samples spread over the video, at its start and half way: the later one is past
        // any fade from black or title card, the earlier one is there when the clip holds a
        // single picture.
        media::VideoSampling sampling;
        sampling.audio = false;
        sampling.max_frames = 2;
        sampling.max_frame_side = thumbnail_size;
        sampling.frames_per_second = media::video_limits::frames_per_second.max;
        const media::Video video = media::decode_video_file(path.toStdString(), sampling);
        if (video.frames.empty()) {
            out.error =
                QObject::tr("%1: the video holds no picture").arg(QFileInfo(path).fileName());
            return out;
        }
        const media::Image& picture = video.frames.back().image;
        out.image = QImage(picture.rgb.data(), picture.width, picture.height, picture.width * 3,
                           QImage::Format_RGB888)
                        .copy();  // detached from `video`, which goes away
    } catch (const std::exception& e) {
        out.error = error_line(path, e);
    }
    return out;
}

}  // namespace

bool is_media_file_name(const QString& path) {
    static const QSet<QString> suffixes = {
        // sound
        QStringLiteral("wav"), QStringLiteral("mp3"), QStringLiteral("flac"), QStringLiteral("ogg"),
        QStringLiteral("oga"), QStringLiteral("opus"), QStringLiteral("m4a"), QStringLiteral("aac"),
        QStringLiteral("caf"), QStringLiteral("aif"), QStringLiteral("aiff"), QStringLiteral("w64"),
        // video
        QStringLiteral("mp4"), QStringLiteral("m4v"), QStringLiteral("mov"), QStringLiteral("mkv"),
        QStringLiteral("webm"), QStringLiteral("avi"), QStringLiteral("ts"), QStringLiteral("mts"),
        QStringLiteral("mpg"), QStringLiteral("mpeg"), QStringLiteral("flv"), QStringLiteral("wmv"),
        QStringLiteral("asf"), QStringLiteral("ogv")};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}

DecodedImage decode_media_file(const QString& path) {
    DecodedImage out;
    media::MediaInfo info;
    try {
        info = media::probe_media_file(path.toStdString());
    } catch (const std::exception& e) {
        out.error = error_line(path, e);
        return out;
    }
    out.attachment.name = QFileInfo(path).fileName();
    out.attachment.path = path;
    out.attachment.duration_seconds = info.duration_seconds;
    if (!info.has_video) {
        out.attachment.kind = AttachmentKind::audio;
        return out;
    }
    out.attachment.kind = AttachmentKind::video;
    out.attachment.size = QSize(info.width, info.height);
    Poster poster = poster_of(path);
    if (!poster.error.isEmpty()) {
        out.error = poster.error;
        return out;
    }
    out.thumbnail = std::move(poster.image);
    return out;
}

QImage decode_video_poster(const QString& path) {
    return poster_of(path).image;
}

DecodedImage decode_attachment_file(const QString& path) {
    return is_media_file_name(path) ? decode_media_file(path) : decode_image_file(path);
}

}  // namespace prism::ui
