#include "app_context.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QPalette>
#include <QQmlApplicationEngine>
#include <QQuickWindow>

namespace prism::ui {

AppContext::AppContext()
    : images_(std::make_shared<ImageStore>()),
      chat_(std::make_unique<ChatController>(&engine_, &settings_, images_)) {
    auto apply_load_options = [this] {
        engine_.set_load_options(settings_.device(), settings_.context_size());
    };
    QObject::connect(&settings_, &ChatSettings::changed, &engine_, apply_load_options);
    apply_load_options();
}

AppContext::~AppContext() = default;

QQuickWindow* AppContext::load_window(QQmlApplicationEngine& qml, const QString& demo_model_path) {
    // The engine takes ownership of the provider (Qt's API takes a raw pointer).
    qml.addImageProvider(QStringLiteral("attachments"), new AttachmentImageProvider(images_));
    const bool system_dark = QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
    qml.setInitialProperties({
        {QStringLiteral("engine"), QVariant::fromValue(&engine_)},
        {QStringLiteral("chat"), QVariant::fromValue(chat_.get())},
        {QStringLiteral("settings"), QVariant::fromValue(&settings_)},
        {QStringLiteral("demoModelPath"), demo_model_path},
        {QStringLiteral("systemDark"), system_dark},
    });
    qml.load(QUrl(QStringLiteral("qrc:/qt/qml/Prism/Ui/Main.qml")));
    if (qml.rootObjects().isEmpty()) return nullptr;
    return qobject_cast<QQuickWindow*>(qml.rootObjects().constFirst());
}

QString find_demo_model(const QStringList& extra_candidates) {
    QStringList candidates;
    if (const QString env = qEnvironmentVariable("PRISM_DEMO_MODEL"); !env.isEmpty())
        candidates.append(env);
    candidates.append(QCoreApplication::applicationDirPath() +
                      QStringLiteral("/../share/prism/models/stories260K.gguf"));
    candidates.append(extra_candidates);
    for (const QString& c : candidates) {
        if (QFileInfo(c).isFile()) return QDir::cleanPath(QFileInfo(c).absoluteFilePath());
    }
    return {};
}

}  // namespace prism::ui
