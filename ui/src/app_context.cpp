#include "app_context.hpp"

#include <QGuiApplication>
#include <QPalette>
#include <QPointer>
#include <QQmlApplicationEngine>
#include <QQuickWindow>
#include <QtConcurrent/QtConcurrentRun>

#include "data/app_paths.hpp"
#include "device_memory.hpp"
#include "hub/hub_api.hpp"
#include "live_image_provider.hpp"

namespace prism::ui {

AppContext::AppContext(const AppOptions& options)
    : images_(std::make_shared<ImageStore>()),
      settings_(options.settings_file.isEmpty()
                    ? std::make_unique<SettingsStore>()
                    : std::make_unique<SettingsStore>(options.settings_file)),
      conversations_(&history_),
      catalog_(),
      models_(&catalog_) {
    // A history that cannot open leaves the app usable without it (the store says why).
    history_.open(options.data_folder);
    conversations_.reload();
    chat_ = std::make_unique<ChatController>(&engine_, settings_.get(),
                                             history_.isReady() ? &history_ : nullptr, images_);
    if (!options.model_folders.isEmpty()) catalog_.setFolders(options.model_folders);
    live_settings_ = std::make_unique<LiveSettings>(settings_->fileName());
    live_ = std::make_unique<LiveController>(
        &engine_, settings_.get(), history_.isReady() ? &history_ : nullptr, live_settings_.get());
    dictation_ = std::make_unique<DictationController>(live_settings_.get());
    deletion_ = std::make_unique<ConversationDeletion>(history_.isReady() ? &history_ : nullptr,
                                                       chat_.get());
    // A live turn stored in the history shows in the sidebar like any chat.
    QObject::connect(live_.get(), &LiveController::turnFinished, &conversations_,
                     [this] { conversations_.reload(); });
    // Leaving live mode shows its conversation, to read and to go on typing in.
    QObject::connect(live_.get(), &LiveController::sessionEnded, chat_.get(), [this](qint64 id) {
        if (id < 0) return;
        // Opened from the sidebar during the session, the chat shows fewer turns: read it again.
        if (chat_->conversationId() == id) chat_->newChat();
        chat_->openConversation(id);
    });

    auto apply_load_options = [this] {
        engine_.set_load_options(settings_->gpuDevice(), settings_->contextSize());
    };
    QObject::connect(settings_.get(), &SettingsStore::gpuDeviceChanged, &engine_,
                     apply_load_options);
    QObject::connect(settings_.get(), &SettingsStore::contextSizeChanged, &engine_,
                     apply_load_options);
    apply_load_options();
    // Models from the hub land in the first model folder, and the menu looks again.
    browser_ = std::make_unique<ModelBrowser>(
        options.model_folders.isEmpty() ? app_models_folder() : options.model_folders.first(),
        hub_base_url());
    QObject::connect(browser_.get(), &ModelBrowser::modelDownloaded, &catalog_,
                     &ModelCatalog::scan);
    auto update_fit = [this] {
        // A context of 0 is "the model's own, at most 4096".
        const int context = settings_->contextSize();
        browser_->setContextSize(context > 0 ? context : 4096);
        QPointer<ModelBrowser> browser = browser_.get();
        (void)QtConcurrent::run([browser, device = settings_->gpuDevice()] {
            const auto bytes = static_cast<qint64>(device_memory_bytes(device));
            QMetaObject::invokeMethod(QCoreApplication::instance(), [browser, bytes] {
                if (browser != nullptr) browser->setDeviceMemory(bytes);
            });
        });
    };
    QObject::connect(settings_.get(), &SettingsStore::gpuDeviceChanged, browser_.get(), update_fit);
    QObject::connect(settings_.get(), &SettingsStore::contextSizeChanged, browser_.get(),
                     update_fit);
    update_fit();
    QObject::connect(&engine_, &EngineController::modelChanged, settings_.get(), [this] {
        if (!engine_.modelLoaded()) return;
        settings_->setLastModelPath(engine_.modelPath());
        settings_->setLastMmprojPath(engine_.mmprojPath());
    });
    engine_.set_secrets(&secrets_);
    if (settings_->serveEnabled()) start_serving();
}

AppContext::~AppContext() = default;

// Serving was left on: it resumes with the key from the keyring. When the user had set a key
// and the keyring cannot give it back, the model is not served at all rather than served open.
void AppContext::start_serving() {
    auto once = std::make_shared<QMetaObject::Connection>();
    *once = QObject::connect(
        &secrets_, &SecretStore::secretRead, &engine_,
        [this, once](const QString& name, const QString& key, const QString& error) {
            if (name != QLatin1String("serve")) return;
            QObject::disconnect(*once);
            if (key.isEmpty() && settings_->serveKeyRequired()) {
                qWarning(
                    "prism: not serving the model: its API key is not available (%s)",
                    qPrintable(error.isEmpty() ? QStringLiteral("not in the keyring") : error));
                return;
            }
            engine_.serveModel(true, settings_->serveHost(), settings_->servePort(), key);
        });
    secrets_.read(QStringLiteral("serve"));
}

QQuickWindow* AppContext::load_window(QQmlApplicationEngine& qml) {
    // The engine takes ownership of the provider (Qt's API takes a raw pointer).
    qml.addImageProvider(QStringLiteral("attachments"), new AttachmentImageProvider(images_));
    qml.addImageProvider(QStringLiteral("live"), new LiveImageProvider(live_.get()));
    const bool system_dark = QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
    qml.setInitialProperties({
        {QStringLiteral("engine"), QVariant::fromValue(&engine_)},
        {QStringLiteral("chat"), QVariant::fromValue(chat_.get())},
        {QStringLiteral("settings"), QVariant::fromValue(settings_.get())},
        {QStringLiteral("conversations"), QVariant::fromValue(&conversations_)},
        {QStringLiteral("history"), QVariant::fromValue(&history_)},
        {QStringLiteral("catalog"), QVariant::fromValue(&catalog_)},
        {QStringLiteral("models"), QVariant::fromValue(&models_)},
        {QStringLiteral("browser"), QVariant::fromValue(browser_.get())},
        {QStringLiteral("secrets"), QVariant::fromValue(&secrets_)},
        {QStringLiteral("live"), QVariant::fromValue(live_.get())},
        {QStringLiteral("liveSettings"), QVariant::fromValue(live_settings_.get())},
        {QStringLiteral("dictation"), QVariant::fromValue(dictation_.get())},
        {QStringLiteral("deletion"), QVariant::fromValue(deletion_.get())},
        {QStringLiteral("demoModelPath"), demo_model_path()},
        {QStringLiteral("systemDark"), system_dark},
    });
    qml.load(QUrl(QStringLiteral("qrc:/qt/qml/Prism/Ui/Main.qml")));
    if (qml.rootObjects().isEmpty()) return nullptr;
    catalog_.scan();
    return qobject_cast<QQuickWindow*>(qml.rootObjects().constFirst());
}

}  // namespace prism::ui
