// The app answering with a model on an OpenAI-compatible server (a real prism-server on
// loopback): connecting lists the server's models, a chat streams the same answer the engine
// gives for the same greedy request (text, a sound re-encoded as WAV, a video's pictures), and
// failures (a wrong key, an image or a sound for a text-only model, an unreachable server) are
// shown as plain sentences; a model that refused sound is not sent sound again.

#include <QImage>
#include <QProcess>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.hpp"
#include "prism/media/video.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

const QString kDemo = QStringLiteral(PRISM_RESOURCES_DIR "/models/stories260K.gguf");
const QString kQwen2a = QStringLiteral(PRISM_TEST_DATA_DIR "/audio-models/qwen2a/");
const QString kSmolvlm = QStringLiteral(PRISM_TEST_DATA_DIR "/vlm/smolvlm/");

// A prism-server on a free port; `url` once it serves.
bool start_server(QProcess& server, const QStringList& flags, QString& url) {
    server.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server.start(QStringLiteral(PRISM_SERVER_PATH), QStringList{"--port", "0"} + flags);
    if (!server.waitForStarted(10000)) return false;
    while (!server.canReadLine())
        if (!server.waitForReadyRead(60000)) return false;
    const QString line = QString::fromUtf8(server.readLine());
    url = line.mid(line.indexOf(QLatin1String("http://"))).section(' ', 0, 0);
    return url.startsWith(QLatin1String("http://127.0.0.1:"));
}

void stop_server(QProcess& server) {
    server.terminate();
    if (!server.waitForFinished(20000)) server.kill();
}

QString cli_answer(const QStringList& args) {
    QProcess cli;
    cli.start(QStringLiteral(PRISM_CLI_PATH), QStringList{"run", "--temp", "0"} + args);
    cli.waitForFinished(120000);
    return QString::fromUtf8(cli.readAllStandardOutput()).trimmed();
}

// The picture the video decoder gives at `second` (one a second, as the app samples), as PNG.
bool save_video_frame(const QString& video, int second, const QString& png) {
    const media::Video decoded = media::decode_video_file(video.toStdString());
    if (second >= static_cast<int>(decoded.frames.size())) return false;
    const media::Image& frame = decoded.frames[static_cast<std::size_t>(second)].image;
    const QImage rgb(frame.rgb.data(), frame.width, frame.height, frame.width * 3,
                     QImage::Format_RGB888);
    return rgb.save(png, "PNG");
}

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

    // An app with its window loaded and the server at `url` connected; nullptr if either fails.
    AppContext* connected_app(std::unique_ptr<AppContext>& holder, QQmlApplicationEngine& qml,
                              const QString& url) {
        AppContext* app = nullptr;
        start_app(app, holder);
        if (app->load_window(qml) == nullptr) return nullptr;
        app->engine().connectServer(url, {});
        if (!QTest::qWaitFor([&] { return app->engine().modelLoaded(); }, 20000)) return nullptr;
        return app;
    }

    // Attaches `path` and waits for the history's copy of it, which sending waits for.
    static bool attach_imported(AppContext& app, const QString& path) {
        app.chat().attachFiles({QUrl::fromLocalFile(path)});
        return QTest::qWaitFor(
            [&] {
                return app.chat().attachments()->count() == 1 &&
                       !app.chat().attachments()->importing();
            },
            20000);
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
        QVERIFY(
            attach_imported(*app, QStringLiteral(PRISM_TEST_DATA_DIR "/vlm/smolvlm/image.png")));
        QVERIFY(app->chat().send(QStringLiteral("What is this?")));
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        const QString error =
            messages.data(messages.index(3), MessageListModel::ErrorRole).toString();
        QVERIFY2(error.contains(QStringLiteral("no vision encoder")), qPrintable(error));
        // From then on the model counts as not seeing: the picture stays out of later requests.
        QVERIFY(!app->engine().hasVision());

        // A sound is sent (the earlier picture not); the text-only model refuses it in the server's
        // words, on one line, and from then on the composer refuses sounds for that model instead
        // of sending them.
        QVERIFY(attach_imported(*app, QStringLiteral(PRISM_TEST_DATA_DIR "/audio/jfk.wav")));
        QVERIFY(app->engine().hasAudio());
        QVERIFY(app->chat().send(QStringLiteral("What is said?")));
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        QCOMPARE(messages.count(), 6);
        const QString refused =
            messages.data(messages.index(5), MessageListModel::ErrorRole).toString();
        QVERIFY2(refused.contains(QStringLiteral("no audio encoder")) && !refused.contains('\n'),
                 qPrintable(refused));
        QVERIFY(!app->engine().hasAudio());
        QVERIFY(attach_imported(*app, QStringLiteral(PRISM_TEST_DATA_DIR "/audio/jfk.wav")));
        const QString refusal = QStringLiteral(
            "stories260K on the server does not take sounds (the server said so); remove them.");
        QCOMPARE(app->chat().attachmentsProblem(), refusal);
        QSignalSpy notices(&app->chat(), &ChatController::notify);
        QVERIFY(!app->chat().send(QStringLiteral("And this?")));
        QCOMPARE(notices.size(), 1);
        QCOMPARE(notices[0][0].toString(), refusal);
        QCOMPARE(messages.count(), 6);
        QCOMPARE(app->chat().attachments()->count(), 1);
    }

    // A conversation with a sound continued with a server's model that refused sound: the text
    // goes, and the answer's note says what did not.
    void earlierSoundsAreNotSentToAModelThatRefusedThem() {
        AppContext* app = nullptr;
        std::unique_ptr<AppContext> holder;
        start_app(app, holder);
        QQmlApplicationEngine qml;
        QVERIFY(app->load_window(qml) != nullptr);
        app->engine().connectServer(url_, QStringLiteral("app-key"));
        QTRY_VERIFY_WITH_TIMEOUT(app->engine().modelLoaded(), 20000);
        const QUrl jfk = QUrl::fromLocalFile(QStringLiteral(PRISM_TEST_DATA_DIR "/audio/jfk.wav"));
        app->chat().add_user_turn(QStringLiteral("What is said?"), {jfk});
        QVERIFY(app->chat().regenerate());
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        QVERIFY(!app->engine().hasAudio());
        app->chat().add_user_turn(QStringLiteral("Tell me a story."), {jfk});
        QVERIFY(app->chat().regenerate());
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 30000);
        MessageListModel& messages = *app->chat().messages();
        QCOMPARE(messages.count(), 4);
        QCOMPARE(messages.data(messages.index(3), MessageListModel::ErrorRole).toString(),
                 QString());
        QVERIFY(!messages.data(messages.index(3), MessageListModel::TextRole).toString().isEmpty());
        QCOMPARE(messages.data(messages.index(3), MessageListModel::NoteRole).toString(),
                 QStringLiteral("2 sounds of earlier messages were not sent: the server's model "
                                "does not take sound."));
    }

    // A sound that is neither WAV nor MP3 goes as 16 kHz mono WAV, decoded by the app: a model
    // that hears answers as the engine does for the file itself.
    void aSoundReachesAServerModelThatHears() {
        QProcess hearing;
        QString url;
        QVERIFY(start_server(
            hearing, {"-m", kQwen2a + "text.gguf", "--mmproj", kQwen2a + "mmproj.gguf"}, url));
        std::unique_ptr<AppContext> holder;
        QQmlApplicationEngine qml;
        AppContext* app = connected_app(holder, qml, url);
        QVERIFY(app != nullptr);
        app->chat().setProperty("maxTokens", 8);
        const QString flac = QStringLiteral(PRISM_TEST_DATA_DIR "/audio/speech_16k.flac");
        QVERIFY(attach_imported(*app, flac));
        QVERIFY(app->chat().send(QStringLiteral("What is said?")));
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 60000);
        MessageListModel& messages = *app->chat().messages();
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        QCOMPARE(messages.data(messages.index(1), MessageListModel::TextRole).toString(),
                 cli_answer({"-n", "8", "-m", kQwen2a + "text.gguf", "--mmproj",
                             kQwen2a + "mmproj.gguf", "--audio", flac, "--system",
                             app->settings().systemPrompt(), "-p", "What is said?"}));
        stop_server(hearing);
    }

    // A video goes as its pictures, each after its time, then its sound; a vision model that
    // does not hear refuses the sound, and the video sent again goes as pictures only, which
    // the model reads as the engine does the same pictures and times.
    void aVideoReachesAServerModelThatSees() {
        QProcess vision;
        QString url;
        // Six pictures need more than the fixture's 256 positions.
        QVERIFY(start_server(
            vision,
            {"-m", kSmolvlm + "text.gguf", "--mmproj", kSmolvlm + "mmproj.gguf", "-c", "1024"},
            url));
        std::unique_ptr<AppContext> holder;
        QQmlApplicationEngine qml;
        AppContext* app = connected_app(holder, qml, url);
        QVERIFY(app != nullptr);
        app->chat().setProperty("maxTokens", 8);
        const QString clip = QStringLiteral(PRISM_TEST_DATA_DIR "/video/colours_h264_aac.mp4");
        QVERIFY(attach_imported(*app, clip));
        QVERIFY(app->chat().send(QStringLiteral("What happens?")));
        // Stopped while the video is being decoded for the request: the answer ends at once,
        // and the request it was being made for is never sent.
        QVERIFY(app->chat().generating());
        app->chat().stop();
        QVERIFY(!app->chat().generating());
        MessageListModel& messages = *app->chat().messages();
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        QVERIFY(app->chat().regenerate());
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 60000);
        const QString refused =
            messages.data(messages.index(1), MessageListModel::ErrorRole).toString();
        QVERIFY2(refused.contains(QStringLiteral("no audio encoder")), qPrintable(refused));
        QVERIFY(!app->engine().hasAudio());

        QVERIFY(app->chat().regenerate());
        QTRY_VERIFY_WITH_TIMEOUT(!app->chat().generating(), 60000);
        QCOMPARE(messages.data(messages.index(1), MessageListModel::ErrorRole).toString(),
                 QString());
        // The same six pictures (one a second) as PNG files, and their times, by hand.
        QStringList args{"-n",       "8",
                         "-c",       "1024",
                         "-m",       kSmolvlm + "text.gguf",
                         "--mmproj", kSmolvlm + "mmproj.gguf",
                         "--system", app->settings().systemPrompt()};
        QString prompt;
        for (int second = 0; second < 6; ++second) {
            const QString png = files_.filePath(QStringLiteral("frame%1.png").arg(second));
            QVERIFY(save_video_frame(clip, second, png));
            args << "--image" << png;
            prompt += (second == 0 ? QString() : QStringLiteral("\n")) +
                      QStringLiteral("[00:0%1] <image>").arg(second);
        }
        args << "-p" << prompt + QStringLiteral("\nWhat happens?");
        QCOMPARE(messages.data(messages.index(1), MessageListModel::TextRole).toString(),
                 cli_answer(args));
        stop_server(vision);
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
