// prism_ui_tests: the app's controllers, models and QML views, on the offscreen platform with
// the real engine (lavapipe in CI).

#include <QGuiApplication>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QtTest>

#include "ui_test_suites.hpp"

Q_IMPORT_QML_PLUGIN(Prism_UiPlugin)

int main(int argc, char** argv) {
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    if (qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND")) qputenv("QT_QUICK_BACKEND", "software");
    QGuiApplication app(argc, argv);
    QQuickStyle::setStyle(QStringLiteral("Basic"));
    int failures = 0;
    // PRISM_UI_SUITE=LiveModeTest runs one suite (the class name, without its namespace).
    const QByteArray only = qgetenv("PRISM_UI_SUITE");
    for (const auto& make : prism::ui::test::suites()) {
        auto suite = make();
        const QByteArray name = suite->metaObject()->className();
        if (!only.isEmpty() && !name.endsWith("::" + only)) continue;
        failures += QTest::qExec(suite.get(), argc, argv);
    }
    return failures == 0 ? 0 : 1;
}
