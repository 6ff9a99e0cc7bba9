#include "app_context.hpp"

#include <QGuiApplication>
#include <QPalette>
#include <QQmlApplicationEngine>
#include <QQuickWindow>

#include "data/app_paths.hpp"

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

    auto apply_load_options = [this] {
        engine_.set_load_options(settings_->gpuDevice(), settings_->contextSize());
    };
    QObject::connect(settings_.get(), &SettingsStore::gpuDeviceChanged, &engine_,
                     apply_load_options);
    QObject::connect(settings_.get(), &SettingsStore::contextSizeChanged, &engine_,
                     apply_load_options);
    apply_load_options();
    QObject::connect(&engine_, &EngineController::modelChanged, settings_.get(), [this] {
        if (!engine_.modelLoaded()) return;
        settings_->setLastModelPath(engine_.modelPath());
        settings_->setLastMmprojPath(engine_.mmprojPath());
    });
}

AppContext::~AppContext() = default;

QQuickWindow* AppContext::load_window(QQmlApplicationEngine& qml) {
    // The engine takes ownership of the provider (Qt's API takes a raw pointer).
    qml.addImageProvider(QStringLiteral("attachments"), new AttachmentImageProvider(images_));
    const bool system_dark = QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
    qml.setInitialProperties({
        {QStringLiteral("engine"), QVariant::fromValue(&engine_)},
        {QStringLiteral("chat"), QVariant::fromValue(chat_.get())},
        {QStringLiteral("settings"), QVariant::fromValue(settings_.get())},
        {QStringLiteral("conversations"), QVariant::fromValue(&conversations_)},
        {QStringLiteral("history"), QVariant::fromValue(&history_)},
        {QStringLiteral("catalog"), QVariant::fromValue(&catalog_)},
        {QStringLiteral("models"), QVariant::fromValue(&models_)},
        {QStringLiteral("demoModelPath"), demo_model_path()},
        {QStringLiteral("systemDark"), system_dark},
    });
    qml.load(QUrl(QStringLiteral("qrc:/qt/qml/Prism/Ui/Main.qml")));
    if (qml.rootObjects().isEmpty()) return nullptr;
    catalog_.scan();
    return qobject_cast<QQuickWindow*>(qml.rootObjects().constFirst());
}

}  // namespace prism::ui
