#pragma once

// Live mode's settings (group "live" of the app's settings file): the speech recognition and
// voice activity models, when a turn ends, how often "describe continuously" looks, and
// whether answers are spoken. Values are clamped on the way in and out like SettingsStore's.

#include <QObject>
#include <QSettings>
#include <QString>
#include <memory>

namespace prism::ui {

class LiveSettings : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString speechModel READ speechModel WRITE setSpeechModel NOTIFY changed)
    Q_PROPERTY(QString vadModel READ vadModel WRITE setVadModel NOTIFY changed)
    Q_PROPERTY(int endOfTurnMs READ endOfTurnMs WRITE setEndOfTurnMs NOTIFY changed)
    Q_PROPERTY(
        int describeIntervalMs READ describeIntervalMs WRITE setDescribeIntervalMs NOTIFY changed)
    Q_PROPERTY(QString describePrompt READ describePrompt WRITE setDescribePrompt NOTIFY changed)
    Q_PROPERTY(bool speakAnswers READ speakAnswers WRITE setSpeakAnswers NOTIFY changed)

  public:
    static constexpr int kMinEndOfTurnMs = 100;
    static constexpr int kMaxEndOfTurnMs = 5000;
    static constexpr int kMinDescribeIntervalMs = 100;
    static constexpr int kMaxDescribeIntervalMs = 600000;

    // `file`: the app's settings file (SettingsStore::fileName()); empty: the user's.
    explicit LiveSettings(const QString& file = {}, QObject* parent = nullptr);
    ~LiveSettings() override;

    // Whisper GGUF or whisper.cpp ggml file; default: $PRISM_WHISPER_MODEL, else the first
    // whisper*.gguf or ggml-*.bin (not ggml-silero-*) in the model cache, then in the model
    // menu's folders (default_model_folders()).
    QString speechModel() const;
    // Silero VAD (whisper.cpp's ggml file); default: $PRISM_VAD_MODEL.
    QString vadModel() const;
    int endOfTurnMs() const;
    int describeIntervalMs() const;
    QString describePrompt() const;
    bool speakAnswers() const;

    void setSpeechModel(const QString& path);
    void setVadModel(const QString& path);
    void setEndOfTurnMs(int ms);
    void setDescribeIntervalMs(int ms);
    void setDescribePrompt(const QString& prompt);
    void setSpeakAnswers(bool on);

  signals:
    void changed();

  private:
    void store(const QString& key, const QVariant& value);
    std::unique_ptr<QSettings> settings_;
};

}  // namespace prism::ui
