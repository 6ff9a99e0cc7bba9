#pragma once

// The user's settings, persisted with QSettings. Every value is clamped to its valid range
// on the way in and on the way out (a hand-edited file cannot hand the engine nonsense);
// defaults follow the engine's sampler defaults.

#include <QObject>
#include <QSettings>
#include <QString>
#include <memory>

namespace prism::ui {

class SettingsStore : public QObject {
    Q_OBJECT
    Q_PROPERTY(
        QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY systemPromptChanged)
    Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY temperatureChanged)
    Q_PROPERTY(double topP READ topP WRITE setTopP NOTIFY topPChanged)
    Q_PROPERTY(int topK READ topK WRITE setTopK NOTIFY topKChanged)
    Q_PROPERTY(double minP READ minP WRITE setMinP NOTIFY minPChanged)
    Q_PROPERTY(double repetitionPenalty READ repetitionPenalty WRITE setRepetitionPenalty NOTIFY
                   repetitionPenaltyChanged)
    Q_PROPERTY(int contextSize READ contextSize WRITE setContextSize NOTIFY contextSizeChanged)
    Q_PROPERTY(QString gpuDevice READ gpuDevice WRITE setGpuDevice NOTIFY gpuDeviceChanged)
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY themeChanged)
    Q_PROPERTY(
        QString lastModelPath READ lastModelPath WRITE setLastModelPath NOTIFY lastModelPathChanged)
    Q_PROPERTY(QString lastMmprojPath READ lastMmprojPath WRITE setLastMmprojPath NOTIFY
                   lastMmprojPathChanged)
    // Serving the loaded model over OpenAI's API: off by default, this machine only.
    Q_PROPERTY(bool serveEnabled READ serveEnabled WRITE setServeEnabled NOTIFY serveChanged)
    Q_PROPERTY(QString serveHost READ serveHost WRITE setServeHost NOTIFY serveChanged)
    Q_PROPERTY(int servePort READ servePort WRITE setServePort NOTIFY serveChanged)
    // Whether the user set a key for it (the key itself is in the keyring, never here), so that
    // a keyring that cannot give it back never starts the server without one.
    Q_PROPERTY(
        bool serveKeyRequired READ serveKeyRequired WRITE setServeKeyRequired NOTIFY serveChanged)

  public:
    // Ranges (inclusive). A context size of 0 means "the model's own, at most 4096".
    static constexpr double kMaxTemperature = 2.0;
    static constexpr int kMaxTopK = 1000;
    static constexpr double kMinRepetitionPenalty = 1.0;
    static constexpr double kMaxRepetitionPenalty = 2.0;
    static constexpr int kMinContextSize = 256;
    static constexpr int kMaxContextSize = 1 << 20;

    // The user's settings file (~/.config/prism/prism.conf).
    explicit SettingsStore(QObject* parent = nullptr);
    // An INI file at `path` (tests, portable setups).
    explicit SettingsStore(const QString& path, QObject* parent = nullptr);
    ~SettingsStore() override;

    QString systemPrompt() const;
    double temperature() const;
    double topP() const;
    int topK() const;
    double minP() const;
    double repetitionPenalty() const;
    int contextSize() const;
    QString gpuDevice() const;
    QString theme() const;  // "light", "dark" or "system"
    QString lastModelPath() const;
    QString lastMmprojPath() const;
    bool serveEnabled() const;
    QString serveHost() const;  // never empty: 127.0.0.1 by default
    int servePort() const;      // 1..65535, 8080 by default
    bool serveKeyRequired() const;

    void setSystemPrompt(const QString& value);
    void setTemperature(double value);
    void setTopP(double value);
    void setTopK(int value);
    void setMinP(double value);
    void setRepetitionPenalty(double value);
    void setContextSize(int value);
    void setGpuDevice(const QString& value);
    void setTheme(const QString& value);
    void setLastModelPath(const QString& value);
    void setLastMmprojPath(const QString& value);
    void setServeEnabled(bool value);
    void setServeHost(const QString& value);
    void setServePort(int value);
    void setServeKeyRequired(bool value);

    // Every sampling and prompt setting back to its default.
    Q_INVOKABLE void resetToDefaults();
    // Writes to disk now (QSettings otherwise writes later and at exit). False on failure.
    Q_INVOKABLE bool sync();
    QString fileName() const;

  signals:
    void systemPromptChanged();
    void temperatureChanged();
    void topPChanged();
    void topKChanged();
    void minPChanged();
    void repetitionPenaltyChanged();
    void contextSizeChanged();
    void gpuDeviceChanged();
    void themeChanged();
    void lastModelPathChanged();
    void lastMmprojPathChanged();
    void serveChanged();

  private:
    // Stores `value` under `key` and emits `changed` when it differs from `current`.
    void store(const char* key, const QVariant& value, const QVariant& current,
               void (SettingsStore::*changed)());

    std::unique_ptr<QSettings> settings_;
};

}  // namespace prism::ui
