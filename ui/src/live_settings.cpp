#include "live_settings.hpp"

#include <QDir>
#include <QStandardPaths>
#include <algorithm>

#include "data/app_paths.hpp"
#include "data/model_folders.hpp"

namespace prism::ui {
namespace {

QString default_speech_model() {
    const QString env = qEnvironmentVariable("PRISM_WHISPER_MODEL");
    if (!env.isEmpty()) return env;
    // Where tools/fetch_models.py puts models, then the folders the model menu lists: a Whisper
    // GGUF, or whisper.cpp's ggml-*.bin (its Silero VAD files, ggml-silero-*.bin, are not).
    QStringList folders = {QDir::homePath() + QStringLiteral("/.cache/prism/models")};
    folders += default_model_folders();
    for (const QString& path : folders) {
        const QDir folder(path);
        const QStringList found =
            folder.entryList({QStringLiteral("whisper*.gguf"), QStringLiteral("ggml-*.bin")},
                             QDir::Files, QDir::Name);
        for (const QString& name : found) {
            if (!name.startsWith(QStringLiteral("ggml-silero"))) return folder.filePath(name);
        }
    }
    return {};
}

}  // namespace

LiveSettings::LiveSettings(const QString& file, QObject* parent)
    : QObject(parent),
      settings_(file.isEmpty()
                    ? std::make_unique<QSettings>(QSettings::NativeFormat, QSettings::UserScope,
                                                  QStringLiteral("prism"), QStringLiteral("prism"))
                    : std::make_unique<QSettings>(file, QSettings::IniFormat)) {}

LiveSettings::~LiveSettings() {
    settings_->sync();
}

QString LiveSettings::speechModel() const {
    const QString v = settings_->value(QStringLiteral("live/speechModel")).toString();
    return v.isEmpty() ? default_speech_model() : v;
}

QString LiveSettings::vadModel() const {
    const QString v = settings_->value(QStringLiteral("live/vadModel")).toString();
    if (!v.isEmpty()) return v;
    const QString env = qEnvironmentVariable("PRISM_VAD_MODEL");
    return env.isEmpty() ? shipped_vad_model_path() : env;
}

int LiveSettings::endOfTurnMs() const {
    return std::clamp(settings_->value(QStringLiteral("live/endOfTurnMs"), 500).toInt(),
                      kMinEndOfTurnMs, kMaxEndOfTurnMs);
}

int LiveSettings::describeIntervalMs() const {
    return std::clamp(settings_->value(QStringLiteral("live/describeIntervalMs"), 2000).toInt(),
                      kMinDescribeIntervalMs, kMaxDescribeIntervalMs);
}

QString LiveSettings::describePrompt() const {
    const QString v = settings_->value(QStringLiteral("live/describePrompt")).toString();
    return v.trimmed().isEmpty() ? tr("Describe what you see in one short sentence.") : v;
}

bool LiveSettings::speakAnswers() const {
    return settings_->value(QStringLiteral("live/speakAnswers"), true).toBool();
}

void LiveSettings::store(const QString& key, const QVariant& value) {
    if (settings_->value(key) == value) return;
    settings_->setValue(key, value);
    emit changed();
}

void LiveSettings::setSpeechModel(const QString& path) {
    store(QStringLiteral("live/speechModel"), path);
}
void LiveSettings::setVadModel(const QString& path) {
    store(QStringLiteral("live/vadModel"), path);
}
void LiveSettings::setEndOfTurnMs(int ms) {
    store(QStringLiteral("live/endOfTurnMs"), std::clamp(ms, kMinEndOfTurnMs, kMaxEndOfTurnMs));
}
void LiveSettings::setDescribeIntervalMs(int ms) {
    store(QStringLiteral("live/describeIntervalMs"),
          std::clamp(ms, kMinDescribeIntervalMs, kMaxDescribeIntervalMs));
}
void LiveSettings::setDescribePrompt(const QString& prompt) {
    store(QStringLiteral("live/describePrompt"), prompt);
}
void LiveSettings::setSpeakAnswers(bool on) {
    store(QStringLiteral("live/speakAnswers"), on);
}

}  // namespace prism::ui
