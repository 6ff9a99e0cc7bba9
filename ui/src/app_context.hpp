#pragma once

// Everything the window needs, created once by main (and by the UI tests the same way): the
// engine controller with its thread, the settings, the history, the model catalogue, the chat
// and the image store. They reach QML only as initial properties of the root window, never
// as globals.

#include <QString>
#include <memory>

#include "chat_controller.hpp"
#include "conversation_deletion.hpp"
#include "data/conversation_list_model.hpp"
#include "data/conversation_store.hpp"
#include "data/model_catalog.hpp"
#include "data/model_list_model.hpp"
#include "data/settings_store.hpp"
#include "engine_controller.hpp"
#include "hub/model_browser.hpp"
#include "image_store.hpp"
#include "live_controller.hpp"
#include "live_dictation.hpp"
#include "live_settings.hpp"
#include "remote/secret_store.hpp"

class QQmlApplicationEngine;
class QQuickWindow;

namespace prism::ui {

struct AppOptions {
    QString settings_file;      // empty: the user's (~/.config/prism/prism.conf)
    QString data_folder;        // history and images; empty: app_data_folder()
    QStringList model_folders;  // empty: the usual places (default_model_folders())
};

class AppContext {
  public:
    explicit AppContext(const AppOptions& options = {});
    ~AppContext();
    AppContext(const AppContext&) = delete;
    AppContext& operator=(const AppContext&) = delete;

    EngineController& engine() { return engine_; }
    SettingsStore& settings() { return *settings_; }
    ConversationStore& history() { return history_; }
    ChatController& chat() { return *chat_; }
    SecretStore& secrets() { return secrets_; }
    LiveController& live() { return *live_; }
    LiveSettings& live_settings() { return *live_settings_; }
    DictationController& dictation() { return *dictation_; }
    ConversationDeletion& deletion() { return *deletion_; }

    // Loads Main.qml into `qml` with the controllers; returns the window or null (the QML
    // errors went to the log). `qml` must be destroyed before this context.
    QQuickWindow* load_window(QQmlApplicationEngine& qml);

  private:
    void start_serving();

    std::shared_ptr<ImageStore> images_;
    EngineController engine_;
    std::unique_ptr<SettingsStore> settings_;
    ConversationStore history_;
    ConversationListModel conversations_;
    ModelCatalog catalog_;
    ModelListModel models_;
    std::unique_ptr<ChatController> chat_;
    std::unique_ptr<ModelBrowser> browser_;
    SecretStore secrets_;
    std::unique_ptr<LiveSettings> live_settings_;
    std::unique_ptr<LiveController> live_;
    std::unique_ptr<DictationController> dictation_;
    // After the history and the chat: a delete pending at exit is made final before they go.
    std::unique_ptr<ConversationDeletion> deletion_;
};

}  // namespace prism::ui
