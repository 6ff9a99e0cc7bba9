// An image question end to end with a vision model (the tiny llava fixture: random weights,
// text model plus mmproj): the attach controls are enabled, a dropped image goes into the
// message and to the engine, and the answer reports the image-encode time.

#include <QDir>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "app_context.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

QQuickItem* item_named(QQuickItem* item, const QString& name) {
    if (item->objectName() == name) return item;
    for (QQuickItem* child : item->childItems()) {
        if (QQuickItem* found = item_named(child, name)) return found;
    }
    return nullptr;
}

class VisionChatTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;

  private slots:
    void anImageQuestionReachesTheVisionEncoder() {
        const QString fixture = QStringLiteral(PRISM_TEST_DATA_DIR "/vlm/llava");
        QVERIFY2(QFileInfo::exists(fixture + "/mmproj.gguf"), "tests/data/vlm/llava is missing");
        AppOptions options;
        options.settings_file = files_.filePath(QStringLiteral("prism.conf"));
        options.data_folder = files_.filePath(QStringLiteral("data"));
        options.model_folders = {files_.filePath(QStringLiteral("models"))};
        AppContext app(options);
        app.settings().setTemperature(0.0);
        app.chat().setProperty("maxTokens", 8);
        QQmlApplicationEngine qml;
        QQuickWindow* window = app.load_window(qml);
        QVERIFY(window != nullptr);

        // Named explicitly: the data layer's pairing rule reads this fixture's projector as
        // 512 wide (the text model is 64) and pairs nothing.
        app.engine().loadModel(fixture + "/text.gguf", fixture + "/mmproj.gguf");
        QTRY_VERIFY_WITH_TIMEOUT(app.engine().modelLoaded(), 30000);
        QVERIFY2(app.engine().hasVision(), qPrintable(app.engine().visionNote()));
        QVERIFY(app.engine().mmprojPath().endsWith(QStringLiteral("mmproj.gguf")));
        QVERIFY(app.chat().canAttachImages());
        QVERIFY(item_named(window->contentItem(), QStringLiteral("attachButton"))->isEnabled());
        QVERIFY(item_named(window->contentItem(), QStringLiteral("visionBadge"))->isVisible());

        app.chat().attachFiles({QUrl::fromLocalFile(fixture + "/image.png")});
        QTRY_COMPARE(app.chat().attachments()->count(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!app.chat().attachments()->importing(), 20000);
        QVERIFY(app.chat().send(QStringLiteral("What is in the picture?")));
        QTRY_VERIFY_WITH_TIMEOUT(!app.chat().generating(), 20000);
        MessageListModel& messages = *app.chat().messages();
        QCOMPARE(messages.count(), 2);
        QCOMPARE(
            messages.data(messages.index(0), MessageListModel::ImagesRole).toStringList().size(),
            1);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        const QString stats =
            messages.data(messages.index(1), MessageListModel::StatsRole).toString();
        QVERIFY2(stats.contains(QStringLiteral("image encode")), qPrintable(stats));

        // A follow-up reuses the cached image: nothing is encoded again.
        QVERIFY(app.chat().send(QStringLiteral("And the colours?")));
        QTRY_VERIFY_WITH_TIMEOUT(!app.chat().generating(), 20000);
        const QString second =
            messages.data(messages.index(3), MessageListModel::StatsRole).toString();
        QVERIFY2(!second.contains(QStringLiteral("image encode")), qPrintable(second));
    }
};

const RegisterSuite<VisionChatTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_vision_chat.moc"
