// The app answering with a model on an OpenAI-compatible server (a real prism-server on
// loopback): connecting lists the server's models, a chat streams the same answer the engine
// gives for the same greedy request, and failures (a wrong key, an image for a text-only
// model, a sound or a video, an unreachable server) are shown as plain sentences.

#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

const QString kDemo = QStringLiteral(PRISM_RESOURCES_DIR "/models/stories260K.gguf");

QQuickItem* find_item(QQuickItem* item, const QString& name) {
    if (item->objectName() == name) return item;
    for (QQuickItem* child : item->childItems()) {
        if (QQuickItem* found = find_item(child, name)) return found;
    }
    return nullptr;
}

class ServerChatTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;
    QProcess server_;
    QString url_;

    void start_app(AppContext*& app, std::unique_ptr<AppContext>& holder) {
        AppOptions options;
        options.settings_file = files_.filePath(QStringLiteral("prism.conf"));
        options.data_folder = files_.filePath(QStringLiteral("data"));
        options.model_folders = {files_.filePath(QStringLiteral("models"))};
        holder = std::make_unique<AppContext>(options);
        app = holder.get();
        app->settings().setTemperature(0.0);
        app->chat().setProperty("maxTokens", 24);
    }

  private slots:
    void initTestCase() {
        server_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        server_.start(QStringLiteral(PRISM_SERVER_PATH),
                      {"-m", kDemo, "--port", "0", "--api-key", "app-key"});
        QVERIFY(server_.waitForStarted(10000));
        while (!server_.canReadLine()) QVERIFY(server_.waitForReadyRead(60000));
        const QString line = QString::fromUtf8(server_.readLine());
        url_ = line.mid(line.indexOf(QLatin1String("http://"))).section(' ', 0, 0);
        QVERIFY2(url_.startsWith(QLatin1String("http://127.0.0.1:")), qPrintable(line));
    }

    void cleanupTestCase() {
        server_.terminate();
        if (!server_.waitForFinished(20000)) server_.kill();
    }

    void chatsWithTheServersModel() {
        AppContext* app = nullptr;
        std::unique_ptr<AppContext> holder;
        start_app(app, holder);
        QQmlApplicationEngine qml;
        QQuickWindow* window = app->load_window(qml);
        QVERIFY(window != nullptr);

        app->engine().connectServer(url_, QStringLiteral("app-key"));
        QTRY_VERIFY_WITH_TIMEOUT(app->engine().modelLoaded(), 20000);
        QVERIFY(app->engine().remote());
        QCOMPARE(app->engine().serverModels(), QStringList{"stories260K"});
        QCOMPARE(app->engine().modelName(), QStringLiteral("stories260K"));
        QVERIFY(find_item(window->contentItem(), QStringLiteral("serverBadge"))->isVisible());

        QVERIFY(app->chat().send(QStringLiteral("Tell me a story about a cat.")));
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        MessageListModel& messages = *app->chat().messages();
        QCOMPARE(messages.count(), 2);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        QProcess cli;
        cli.start(QStringLiteral(PRISM_CLI_PATH),
                  {"run", "--temp", "0", "-n", "24", "-m", kDemo, "--system",
                   app->settings().systemPrompt(), "-p", "Tell me a story about a cat."});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(messages.data(messages.index(1), MessageListModel::TextRole).toString(),
                 QString::fromUtf8(cli.readAllStandardOutput()).trimmed());

        // A text-only model asked about a picture: the server's reason, plainly.
        app->chat().attachFiles(
            {QUrl::fromLocalFile(QStringLiteral(PRISM_TEST_DATA_DIR "/vlm/smolvlm/image.png"))});
        QTRY_COMPARE(app->chat().attachments()->count(), 1);
        QVERIFY(app->chat().send(QStringLiteral("What is this?")));
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        const QString error =
            messages.data(messages.index(3), MessageListModel::ErrorRole).toString();
        QVERIFY2(error.contains(QStringLiteral("no vision encoder")), qPrintable(error));

        // Sounds and videos are not sent to a server: refused in the composer, not lost.
        app->chat().attachFiles(
            {QUrl::fromLocalFile(QStringLiteral(PRISM_TEST_DATA_DIR "/audio/jfk.wav")),
             QUrl::fromLocalFile(QStringLiteral(PRISM_TEST_DATA_DIR "/video/colours_h264.mkv"))});
        QTRY_COMPARE(app->chat().attachments()->count(), 2);
        const QString refusal = QStringLiteral(
            "Sounds and videos cannot be sent to a model on a server; remove them, or load a "
            "local model.");
        QCOMPARE(app->chat().attachmentsProblem(), refusal);
        QSignalSpy notices(&app->chat(), &ChatController::notify);
        QVERIFY(!app->chat().send(QStringLiteral("And these?")));
        QCOMPARE(notices.size(), 1);
        QCOMPARE(notices[0][0].toString(), refusal);
        QCOMPARE(messages.count(), 4);
        QCOMPARE(app->chat().attachments()->count(), 2);
    }

    // A conversation with a sound and a video continued with a server's model: the text goes,
    // and the answer's note says what did not.
    void earlierSoundsAndVideosAreNotSentToAServerAndTheNoteSaysSo() {
        AppContext* app = nullptr;
        std::unique_ptr<AppContext> holder;
        start_app(app, holder);
        QQmlApplicationEngine qml;
        QVERIFY(app->load_window(qml) != nullptr);
        app->engine().connectServer(url_, QStringLiteral("app-key"));
        QTRY_VERIFY_WITH_TIMEOUT(app->engine().modelLoaded(), 20000);
        app->chat().add_user_turn(
            QStringLiteral("Tell me a story."),
            {QUrl::fromLocalFile(QStringLiteral(PRISM_TEST_DATA_DIR "/audio/jfk.wav")),
             QUrl::fromLocalFile(QStringLiteral(PRISM_TEST_DATA_DIR "/video/colours_h264.mkv"))});
        QVERIFY(app->chat().regenerate());
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        MessageListModel& messages = *app->chat().messages();
        QCOMPARE(messages.count(), 2);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        QVERIFY(!messages.data(messages.index(1), MessageListModel::TextRole).toString().isEmpty());
        QCOMPARE(messages.data(messages.index(1), MessageListModel::NoteRole).toString(),
                 QStringLiteral("2 sounds and videos of earlier messages were not sent: a model "
                                "on a server gets pictures only."));
    }

    void connectionFailuresAreShownPlainly() {
        AppContext* app = nullptr;
        std::unique_ptr<AppContext> holder;
        start_app(app, holder);
        QSignalSpy failed(&app->engine(), &EngineController::loadFailed);
        app->engine().connectServer(url_, QStringLiteral("wrong-key"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000);
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("refused the API key")),
                 qPrintable(failed.first().first().toString()));
        QVERIFY(!app->engine().modelLoaded());

        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QString dead =
            QStringLiteral("http://127.0.0.1:") + QString::number(closed.serverPort());
        closed.close();
        app->engine().connectServer(dead, {});
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 20000);
        QVERIFY2(
            failed.last().first().toString().contains(QStringLiteral("connection was refused")),
            qPrintable(failed.last().first().toString()));

        app->engine().connectServer(QStringLiteral("not a url at all"), {});
        QCOMPARE(failed.count(), 3);
    }
};

const RegisterSuite<ServerChatTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_server_chat.moc"
