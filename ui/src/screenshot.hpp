#pragma once

// `prism --screenshot out.png`: loads a model, asks about an image, waits for the real answer
// and saves the rendered window (tools/take_screenshot.sh runs it under Xvfb).

#include <QList>
#include <QString>
#include <QUrl>
#include <functional>

class QQuickWindow;

namespace prism::ui {

class AppContext;

struct ScreenshotPlan {
    QString output;
    QString model;
    QList<QUrl> images;  // in the user's question
    QString question;
    QList<QUrl> composer_images;  // left attached in the composer
    int max_tokens = 72;          // short enough for the whole exchange to fit the window
};

// Starts the sequence; calls `done` with 0 once the file is written, non-zero on failure.
void run_screenshot(AppContext& app, QQuickWindow& window, const ScreenshotPlan& plan,
                    std::function<void(int)> done);

}  // namespace prism::ui
