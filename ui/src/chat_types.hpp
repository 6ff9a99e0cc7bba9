#pragma once

// Plain values that travel between the UI thread and the engine thread (by queued signals, so
// they are copyable and registered with the meta-type system).

#include <QByteArray>
#include <QImage>
#include <QList>
#include <QMetaType>
#include <QSize>
#include <QString>
#include <optional>

#include "data/image_library.hpp"

namespace prism::ui {

enum class AttachmentKind { image, audio, video };

// One file the user attached. An image: the file's bytes as given (PNG, JPEG, ...), decoded
// once to check it and to make a thumbnail. A sound or a video: probed for its length (a
// video's picture half way in is its poster), read from `path` again when it is sent.
struct ImageAttachment {
    QString id;  // key in the ImageStore (thumbnail or poster); empty for images from history
    QString name;
    QString path;      // the file (for a pasted image, a PNG the app wrote); kept by the history
    QByteArray bytes;  // an image's bytes when already read (empty for history and other kinds)
    QSize size;        // an image's or a video's pictures
    AttachmentKind kind = AttachmentKind::image;
    double duration_seconds = 0;  // a sound's or a video's (0: not known)
    // A sound recorded in the app (16 kHz mono, live mode's spoken questions): sent as it is,
    // without a file.
    QList<float> samples;
    // The history's copy, made off the UI thread when the file is attached: `importing` until
    // it is done, then `stored` (none without a history).
    bool importing = false;
    std::optional<ImportedImage> stored;
};

enum class TurnRole { system, user, assistant };

// Earlier attachments a conversation holds that the loaded model cannot take.
struct LeftOutAttachments {
    qint64 pictures = 0;  // images and videos, without a vision encoder
    qint64 sounds = 0;    // without an audio encoder
};

struct ChatTurn {
    TurnRole role = TurnRole::user;
    QString text;
    QList<ImageAttachment> images;
};

struct GenerationSettings {
    QString system_prompt;
    float temperature = 0.8f;
    float top_p = 0.95f;
    int top_k = 40;
    float min_p = 0.05f;
    float repeat_penalty = 1.0f;
    int max_tokens = 512;
};

struct AnswerTimings {
    qint64 tokens = 0;
    double tokens_per_second = 0;
    double time_to_first_token_ms = 0;
    double image_encode_ms = 0;
    qint64 images_encoded = 0;
    double audio_encode_ms = 0;  // decoding, mel and the audio encoder, for the new sounds
    qint64 sounds_encoded = 0;
    QString stop_reason;
    qint64 context_tokens = 0;     // the session's context length
    qint64 messages_left_out = 0;  // oldest messages the model did not see (no room)
    // Attachments of earlier messages the model could not take (no vision / audio encoder).
    qint64 pictures_left_out = 0;  // images and videos
    qint64 sounds_left_out = 0;
    qint64 sounds_not_sent_to_server = 0;  // earlier sounds (the server's model takes none)
    // A live turn's, from the end of the user's speech (-1: not measured).
    double transcript_ms = -1;
    double first_sound_ms = -1;
};

struct ModelDescription {
    QString path;
    QString mmproj_path;
    QString name;
    QString architecture;
    QString quantization;
    qint64 file_bytes = 0;
    qint64 context_length = 0;   // the model's trained context
    qint64 session_context = 0;  // what the session's KV cache holds
    bool has_vision = false;
    bool has_audio = false;
    QString device_name;
    double load_seconds = 0;
    QString vision_note;      // why a projector found beside the model was not used
    QString context_warning;  // the context is longer than the model was trained with
};

}  // namespace prism::ui

Q_DECLARE_METATYPE(prism::ui::ChatTurn)
Q_DECLARE_METATYPE(prism::ui::GenerationSettings)
Q_DECLARE_METATYPE(prism::ui::AnswerTimings)
Q_DECLARE_METATYPE(prism::ui::ModelDescription)
