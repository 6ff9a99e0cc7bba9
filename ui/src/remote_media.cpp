#include "remote_media.hpp"

#include <QBuffer>
#include <QFileInfo>
#include <QImage>
#include <exception>
#include <span>

#include "data/file_bytes.hpp"
#include "prism/error.hpp"
#include "prism/media/audio.hpp"
#include "prism/media/probe.hpp"
#include "prism/media/video.hpp"
#include "prism/video_plan.hpp"
#include "wav_file.hpp"

namespace prism::ui {
namespace {

// The history keeps images up to this size; the server has its own, smaller cap.
constexpr qint64 kMaxImageBytes = 256LL * 1024 * 1024;

std::string utf8(const QString& s) {
    return s.toStdString();
}

QByteArray read_whole(const QString& path, qint64 max_bytes) {
    FileBytes read = read_file_bytes(path, max_bytes);
    if (!read.error.isEmpty()) throw Error(utf8(read.error));
    return read.bytes;
}

RemotePart wav_part(std::span<const float> samples, const QString& name) {
    QByteArray wav = wav_bytes(samples, media::audio_sample_rate);
    if (wav.size() > kMaxRemoteSoundBytes) {
        const double minutes = static_cast<double>(samples.size()) / media::audio_sample_rate / 60;
        const double most =
            static_cast<double>(kMaxRemoteSoundBytes) / 2 / media::audio_sample_rate / 60;
        throw Error(utf8(QStringLiteral("%1: %2 minutes of sound; at most %3 minutes go to a "
                                        "server (20 MiB as 16 kHz WAV)")
                             .arg(name)
                             .arg(minutes, 0, 'f', 1)
                             .arg(most, 0, 'f', 1)));
    }
    return RemotePart::of_audio(wav, QStringLiteral("wav"));
}

// WAV and MP3 go as they are (the formats input_audio names); anything else, or a WAV or MP3
// over the cap, is decoded and sent as 16 kHz mono WAV.
RemotePart sound_part(const ImageAttachment& a) {
    if (!a.samples.isEmpty())
        return wav_part(std::span(a.samples.constData(), a.samples.size()), a.name);
    const media::MediaInfo info = media::probe_media_file(utf8(a.path));
    const bool as_is = info.format == "WAV" || info.format == "MP3";
    if (as_is && QFileInfo(a.path).size() <= kMaxRemoteSoundBytes) {
        return RemotePart::of_audio(
            read_whole(a.path, kMaxRemoteSoundBytes),
            info.format == "WAV" ? QStringLiteral("wav") : QStringLiteral("mp3"));
    }
    const media::Audio audio = media::decode_audio_file(utf8(a.path));
    return wav_part(audio.samples, a.path);
}

QByteArray png_bytes(const media::Image& image) {
    const QImage rgb(image.rgb.data(), image.width, image.height, image.width * 3,
                     QImage::Format_RGB888);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    rgb.save(&buffer, "PNG");
    return png;
}

// The pictures the local path samples (one a second), at most kMaxRemoteVideoPictures spread
// over the video, each after its time as the local prompt writes it; then the sound track.
QList<RemotePart> video_parts(const ImageAttachment& a, bool send_sound) {
    media::VideoSampling sampling;
    sampling.max_frames = kMaxRemoteVideoPictures;
    sampling.audio = send_sound;
    const media::Video video = media::decode_video_file(utf8(a.path), sampling);
    QList<RemotePart> parts;
    for (std::size_t i = 0; i < video.frames.size(); ++i) {
        const std::string time = video_timestamp(video.frames[i].seconds) + " ";
        parts.append(RemotePart::of_text(QString::fromStdString(i == 0 ? time : "\n" + time)));
        parts.append(
            RemotePart::of_image(png_bytes(video.frames[i].image), QStringLiteral("image/png")));
    }
    parts.append(RemotePart::of_text(QStringLiteral("\n")));
    if (send_sound && video.audio && !video.audio->samples.empty())
        parts.append(wav_part(video.audio->samples, a.path));
    return parts;
}

QString role_name(TurnRole role) {
    switch (role) {
        case TurnRole::system:
            return QStringLiteral("system");
        case TurnRole::assistant:
            return QStringLiteral("assistant");
        case TurnRole::user:
            break;
    }
    return QStringLiteral("user");
}

}  // namespace

QList<RemotePart> remote_parts(const ImageAttachment& a, bool send_sound) {
    switch (a.kind) {
        case AttachmentKind::audio:
            return {sound_part(a)};
        case AttachmentKind::video:
            return video_parts(a, send_sound);
        case AttachmentKind::image:
            break;
    }
    return {RemotePart::of_image(a.bytes.isEmpty() ? read_whole(a.path, kMaxImageBytes) : a.bytes)};
}

RemoteConversation remote_conversation(const QList<ChatTurn>& turns, const QString& system_prompt,
                                       RemoteMediaAccepted accepted) {
    RemoteConversation out;
    if (!system_prompt.trimmed().isEmpty())
        out.messages.append({QStringLiteral("system"), system_prompt, {}});
    try {
        for (const ChatTurn& turn : turns) {
            RemoteMessage m{role_name(turn.role), turn.text, {}};
            for (const ImageAttachment& a : turn.images) {
                const bool sound = a.kind == AttachmentKind::audio;
                if (sound ? !accepted.sound : !accepted.pictures) {
                    ++(sound ? out.left_out.sounds : out.left_out.pictures);
                    continue;
                }
                m.parts.append(remote_parts(a, accepted.sound));
            }
            out.messages.append(m);
        }
    } catch (const std::exception& e) {
        out.messages.clear();
        out.error = QString::fromUtf8(e.what());
    }
    return out;
}

}  // namespace prism::ui
