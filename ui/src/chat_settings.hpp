#pragma once

// The settings the chat uses (sampling, system prompt, context, device, theme) as properties the
// settings dialog binds to. Kept in memory here; persistence comes from the data layer's
// SettingsStore when it is bound (see report).

#include <QObject>
#include <QQmlEngine>
#include <QString>

#include "chat_types.hpp"

namespace prism::ui {

class ChatSettings : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("The application creates the settings.")

    Q_PROPERTY(QString systemPrompt MEMBER system_prompt_ NOTIFY changed)
    Q_PROPERTY(double temperature MEMBER temperature_ NOTIFY changed)
    Q_PROPERTY(double topP MEMBER top_p_ NOTIFY changed)
    Q_PROPERTY(int topK MEMBER top_k_ NOTIFY changed)
    Q_PROPERTY(double minP MEMBER min_p_ NOTIFY changed)
    Q_PROPERTY(double repeatPenalty MEMBER repeat_penalty_ NOTIFY changed)
    Q_PROPERTY(int maxTokens MEMBER max_tokens_ NOTIFY changed)
    Q_PROPERTY(int contextSize MEMBER context_size_ NOTIFY changed)
    Q_PROPERTY(QString device MEMBER device_ NOTIFY changed)
    // "system", "light" or "dark".
    Q_PROPERTY(QString theme MEMBER theme_ NOTIFY changed)

  public:
    using QObject::QObject;

    GenerationSettings generation() const;
    QString device() const { return device_; }
    int context_size() const { return context_size_; }

  signals:
    void changed();

  private:
    QString system_prompt_;
    double temperature_ = 0.8;
    double top_p_ = 0.95;
    int top_k_ = 40;
    double min_p_ = 0.05;
    double repeat_penalty_ = 1.0;
    int max_tokens_ = 512;
    int context_size_ = 0;  // 0: the engine's choice
    QString device_;
    QString theme_ = QStringLiteral("system");
};

}  // namespace prism::ui
