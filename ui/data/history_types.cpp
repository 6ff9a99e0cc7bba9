#include "data/history_types.hpp"

#include <QUrl>
#include <QVariantList>

namespace prism::ui {

namespace {

const QString kTranscriptKey = QStringLiteral("timeToTranscriptMs");
const QString kFirstSoundKey = QStringLiteral("timeToFirstSoundMs");

std::optional<double> optional_ms(const QVariantMap& map, const QString& key) {
    const QVariant v = map.value(key);
    bool ok = false;
    const double ms = v.toDouble(&ok);
    if (!ok || v.isNull() || ms < 0) return std::nullopt;
    return ms;
}

}  // namespace

QVariantMap to_variant(const AnswerStats& stats) {
    QVariantMap map{{QStringLiteral("tokensPerSecond"), stats.tokens_per_second},
                    {QStringLiteral("timeToFirstTokenMs"), stats.time_to_first_token_ms},
                    {QStringLiteral("imageEncodeMs"), stats.image_encode_ms},
                    {QStringLiteral("stopReason"), stats.stop_reason}};
    if (stats.time_to_transcript_ms) map.insert(kTranscriptKey, *stats.time_to_transcript_ms);
    if (stats.time_to_first_sound_ms) map.insert(kFirstSoundKey, *stats.time_to_first_sound_ms);
    return map;
}

AnswerStats answer_stats_from(const QVariantMap& map) {
    AnswerStats s;
    s.tokens_per_second = map.value(QStringLiteral("tokensPerSecond")).toDouble();
    s.time_to_first_token_ms = map.value(QStringLiteral("timeToFirstTokenMs")).toDouble();
    s.image_encode_ms = map.value(QStringLiteral("imageEncodeMs")).toDouble();
    s.stop_reason = map.value(QStringLiteral("stopReason")).toString();
    s.time_to_transcript_ms = optional_ms(map, kTranscriptKey);
    s.time_to_first_sound_ms = optional_ms(map, kFirstSoundKey);
    return s;
}

QVariantMap to_variant(const StoredAttachment& a) {
    return {{QStringLiteral("position"), a.position},
            {QStringLiteral("imagePath"), a.image_path},
            {QStringLiteral("imageUrl"), QUrl::fromLocalFile(a.image_path)},
            {QStringLiteral("originalName"), a.original_name},
            {QStringLiteral("width"), a.width},
            {QStringLiteral("height"), a.height},
            {QStringLiteral("kind"), a.kind},
            {QStringLiteral("durationSeconds"), a.duration_seconds}};
}

QVariantMap to_variant(const StoredMessage& m) {
    QVariantList attachments;
    for (const StoredAttachment& a : m.attachments) attachments << to_variant(a);
    QVariantMap map{
        {QStringLiteral("id"), m.id},
        {QStringLiteral("conversation"), m.conversation},
        {QStringLiteral("role"), m.role},
        {QStringLiteral("text"), m.text},
        {QStringLiteral("created"), m.created},
        {QStringLiteral("finished"), m.role != QLatin1String("assistant") || m.stats.has_value()},
        {QStringLiteral("attachments"), attachments}};
    if (m.stats) map.insert(QStringLiteral("stats"), to_variant(*m.stats));
    return map;
}

QVariantMap to_variant(const ConversationSummary& c) {
    return {{QStringLiteral("id"), c.id},
            {QStringLiteral("title"), c.title},
            {QStringLiteral("created"), c.created},
            {QStringLiteral("updated"), c.updated},
            {QStringLiteral("modelPath"), c.model_path},
            {QStringLiteral("preview"), c.preview}};
}

}  // namespace prism::ui
