#pragma once

// Plain values the conversation store reads and writes, and their QVariantMap forms for QML.

#include <QDateTime>
#include <QSize>
#include <QString>
#include <QVariantMap>
#include <optional>
#include <vector>

#include "data/image_library.hpp"

namespace prism::ui {

// Measured for one answer; stored when the answer ends.
struct AnswerStats {
    double tokens_per_second = 0;
    double time_to_first_token_ms = 0;
    double image_encode_ms = 0;
    QString stop_reason;  // the engine's stop_reason_name(), e.g. "end_of_generation"
    // Live mode, from the end of the user's speech: Whisper's text was there (a question
    // understood as text), the answer's first sample was played (an answer spoken aloud).
    std::optional<double> time_to_transcript_ms;
    std::optional<double> time_to_first_sound_ms;
};

struct StoredAttachment {
    int position = 0;
    QString image_path;  // absolute (the stored file, whatever its kind)
    QString original_name;
    int width = 0;
    int height = 0;
    QString kind = QStringLiteral("image");  // "image", "audio" or "video"
    double duration_seconds = 0;             // a sound's or a video's
};

// A file to attach to a new message: copied into the store like an image.
struct NewAttachment {
    QString path;
    QString kind = QStringLiteral("image");  // "image", "audio" or "video"
    double duration_seconds = 0;
    QSize size;  // a video's pictures (an image's size is read from the file)
    // Already copied into the store (ImageLibrary::import, run off the UI thread when the file
    // was attached): used as it is instead of copying again.
    std::optional<ImportedImage> imported;
};

struct StoredMessage {
    qint64 id = 0;
    qint64 conversation = 0;
    QString role;  // "system", "user" or "assistant"
    QString text;
    QDateTime created;
    // Set once an assistant answer ended; an assistant message without stats was cut off
    // (the app was stopped while it streamed).
    std::optional<AnswerStats> stats;
    std::vector<StoredAttachment> attachments;
};

struct ConversationSummary {
    qint64 id = 0;
    QString title;  // never empty: kUntitledConversation when nothing was written yet
    QDateTime created;
    QDateTime updated;
    QString model_path;
    QString preview;  // start of the latest message, on one line
};

// Keys: tokensPerSecond, timeToFirstTokenMs, imageEncodeMs, stopReason, and
// timeToTranscriptMs, timeToFirstSoundMs where measured.
QVariantMap to_variant(const AnswerStats& stats);
AnswerStats answer_stats_from(const QVariantMap& map);
// Keys: position, imagePath, imageUrl, originalName, width, height, kind, durationSeconds.
QVariantMap to_variant(const StoredAttachment& attachment);
// Keys: id, conversation, role, text, created, finished, stats (map, absent while unfinished),
// attachments (list of maps).
QVariantMap to_variant(const StoredMessage& message);
// Keys: id, title, created, updated, modelPath, preview.
QVariantMap to_variant(const ConversationSummary& conversation);

}  // namespace prism::ui
