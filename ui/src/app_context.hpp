#pragma once

// Everything the window needs, created once by main (and by the UI tests the same way): the
// engine controller with its thread, the settings, the chat, and the image store. The objects
// reach QML only as initial properties of the root window, never as globals.

#include <QString>
#include <memory>

#include "chat_controller.hpp"
#include "chat_settings.hpp"
#include "engine_controller.hpp"
#include "image_store.hpp"

class QQmlApplicationEngine;
class QQuickWindow;

namespace prism::ui {

class AppContext {
  public:
    AppContext();
    ~AppContext();
    AppContext(const AppContext&) = delete;
    AppContext& operator=(const AppContext&) = delete;

    EngineController& engine() { return engine_; }
    ChatSettings& settings() { return settings_; }
    ChatController& chat() { return *chat_; }

    // Loads Main.qml into `qml` with the controllers; returns the window or null (the QML
    // errors went to the log). `qml` must be destroyed before this context.
    QQuickWindow* load_window(QQmlApplicationEngine& qml, const QString& demo_model_path);

  private:
    std::shared_ptr<ImageStore> images_;
    EngineController engine_;
    ChatSettings settings_;
    std::unique_ptr<ChatController> chat_;
};

// The demo model shipped with the app, or empty: PRISM_DEMO_MODEL, then the installed
// share/prism/models, then the given source-tree candidates.
QString find_demo_model(const QStringList& extra_candidates);

}  // namespace prism::ui
