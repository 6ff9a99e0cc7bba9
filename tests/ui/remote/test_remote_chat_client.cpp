// RemoteChatClient against real prism-server processes on loopback: the model list, streamed
// answers equal to prism-cli's for the same greedy request (text, image and sound), stop, and
// the sentences shown for a wrong key, an unknown model, an image or a sound for a text model,
// a refused connection and a busy server.

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include "remote/remote_chat_client.hpp"

namespace prism::ui {
namespace {

const QString kKey = QStringLiteral("remote-test-key");

QString demo_model() {
    return QStringLiteral(PRISM_RESOURCES_DIR "/models/stories260K.gguf");
}
QString vlm(const char* name) {
    return QStringLiteral(PRISM_TEST_DATA_DIR "/vlm/smolvlm/") + QLatin1String(name);
}
QString qwen2a(const char* name) {
    return QStringLiteral(PRISM_TEST_DATA_DIR "/audio-models/qwen2a/") + QLatin1String(name);
}
QString sound(const char* name) {
    return QStringLiteral(PRISM_TEST_DATA_DIR "/audio/") + QLatin1String(name);
}
QByteArray file_bytes(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A prism-server on a free port; its base URL once it serves.
struct ServerProcess {
    QProcess process;
    QUrl base;

    bool start(const QStringList& flags) {
        process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        process.start(QStringLiteral(PRISM_SERVER_PATH), QStringList{"--port", "0"} + flags);
        if (!process.waitForStarted(10000)) return false;
        while (!process.canReadLine())
            if (!process.waitForReadyRead(60000)) return false;
        const QString line = QString::fromUtf8(process.readLine());
        const auto at = line.indexOf(QLatin1String("http://"));
        if (at < 0) return false;
        base = api_base_url(line.mid(at).section(' ', 0, 0));
        return base.isValid();
    }
    ~ServerProcess() {
        process.terminate();
        if (!process.waitForFinished(20000)) process.kill();
    }
};

QString cli_answer(const QStringList& args) {
    QProcess cli;
    cli.start(QStringLiteral(PRISM_CLI_PATH), QStringList{"run", "--temp", "0"} + args);
    cli.waitForFinished(120000);
    QString out = QString::fromUtf8(cli.readAllStandardOutput());
    while (out.endsWith('\n')) out.chop(1);
    return out;
}

struct Answer {
    QString text;
    int pieces = 0;
    RemoteUsage usage;
    QString error;
};

Answer ask(RemoteChatClient& client, const QString& model, const QList<RemoteMessage>& messages,
           int max_tokens) {
    Answer a;
    QObject context;
    QObject::connect(&client, &RemoteChatClient::piece, &context,
                     [&](quint64, const QString& text) {
                         a.text += text;
                         ++a.pieces;
                     });
    QSignalSpy finished(&client, &RemoteChatClient::finished);
    QSignalSpy failed(&client, &RemoteChatClient::failed);
    RemoteSampling sampling;
    sampling.temperature = 0;
    sampling.max_tokens = max_tokens;
    client.generate(7, model, messages, sampling);
    if (!QTest::qWaitFor([&] { return finished.count() + failed.count() == 1; }, 60000)) {
        a.error = QStringLiteral("no answer within a minute");
        return a;
    }
    if (!failed.isEmpty()) a.error = failed.first().at(1).toString();
    if (!finished.isEmpty()) a.usage = finished.first().at(1).value<RemoteUsage>();
    return a;
}

QList<RemoteMessage> user(const QString& text, QList<RemotePart> parts = {}) {
    return {RemoteMessage{QStringLiteral("user"), text, parts}};
}

}  // namespace

class RemoteChatClientTest : public QObject {
    Q_OBJECT

  private slots:
    void initTestCase() {
        QVERIFY2(text_.start({"-m", demo_model(), "--api-key", kKey}), "prism-server started");
    }

    void baseUrls() {
        QCOMPARE(api_base_url("http://127.0.0.1:8080").toString(),
                 QStringLiteral("http://127.0.0.1:8080/v1"));
        QCOMPARE(api_base_url("https://gpu.example.org/v1/").toString(),
                 QStringLiteral("https://gpu.example.org/v1"));
        QCOMPARE(api_base_url("localhost:11434").toString(),
                 QStringLiteral("http://localhost:11434/v1"));
        QVERIFY(!api_base_url("").isValid());
        QVERIFY(!api_base_url("ftp://host/").isValid());
    }

    void listsTheServersModels() {
        RemoteChatClient client;
        client.set_endpoint(text_.base, kKey);
        QSignalSpy listed(&client, &RemoteChatClient::modelsListed);
        client.list_models();
        QTRY_COMPARE_WITH_TIMEOUT(listed.count(), 1, 20000);
        QCOMPARE(listed.first().first().toStringList(), QStringList{"stories260K"});
    }

    void streamsTheSameAnswerAsTheEngine() {
        RemoteChatClient client;
        client.set_endpoint(text_.base, kKey);
        const Answer a = ask(client, "stories260K", user("A story about a red ball."), 32);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QVERIFY(a.pieces > 1);
        QCOMPARE(a.text,
                 cli_answer({"-m", demo_model(), "-n", "32", "-p", "A story about a red ball."}));
        QVERIFY(a.usage.prompt_tokens > 0);
        QVERIFY(a.usage.completion_tokens > 0 && a.usage.completion_tokens <= 32);
        QVERIFY(a.usage.finish_reason == "stop" || a.usage.finish_reason == "length");
    }

    void stopEndsTheAnswer() {
        RemoteChatClient client;
        client.set_endpoint(text_.base, kKey);
        QSignalSpy pieces(&client, &RemoteChatClient::piece);
        QSignalSpy finished(&client, &RemoteChatClient::finished);
        client.generate(1, "stories260K", user("Once upon a time"),
                        RemoteSampling{0.8, 0.95, 4000});
        QTRY_VERIFY_WITH_TIMEOUT(!pieces.isEmpty() || !finished.isEmpty(), 30000);
        client.stop();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY(!client.busy());
    }

    void explainsFailuresPlainly() {
        RemoteChatClient client;
        client.set_endpoint(text_.base, QStringLiteral("wrong"));
        Answer a = ask(client, "stories260K", user("hi"), 4);
        QVERIFY2(a.error.contains("refused the API key (401)"), qPrintable(a.error));

        QSignalSpy list_failed(&client, &RemoteChatClient::listFailed);
        client.list_models();
        QTRY_COMPARE_WITH_TIMEOUT(list_failed.count(), 1, 20000);
        QVERIFY(list_failed.first().first().toString().contains("(401)"));

        client.set_endpoint(text_.base, kKey);
        a = ask(client, "llama-70b", user("hi"), 4);
        QVERIFY2(a.error.contains("(404)") && a.error.contains("llama-70b"), qPrintable(a.error));

        QSignalSpy audio_refused(&client, &RemoteChatClient::audioRefused);
        a = ask(client, "stories260K",
                user("what is this?", {RemotePart::of_image(file_bytes(vlm("image.png")))}), 4);
        QVERIFY2(a.error.contains("no vision encoder"), qPrintable(a.error));
        QCOMPARE(audio_refused.count(), 0);

        // A sound for a model that does not hear: the server's words on one line, and the
        // refusal is told apart so that the app stops sending sound to that model.
        a = ask(client, "stories260K",
                user("what is said?", {RemotePart::of_audio(file_bytes(sound("jfk.wav")), "wav")}),
                4);
        QVERIFY2(a.error.contains("no audio encoder") && !a.error.contains('\n'),
                 qPrintable(a.error));
        QCOMPARE(audio_refused.count(), 1);

        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const quint16 port = closed.serverPort();
        closed.close();
        client.set_endpoint(api_base_url("http://127.0.0.1:" + QString::number(port)), {});
        a = ask(client, "stories260K", user("hi"), 4);
        QVERIFY2(a.error.contains("connection was refused"), qPrintable(a.error));

        const QByteArray busy =
            R"({"error":{"message":"the server is busy","type":"server_error"}})";
        QCOMPARE(describe_failure(api_base_url("http://gpu:8000"), 0, 429, busy),
                 QStringLiteral("gpu:8000 is busy (429): the server is busy; try again shortly"));
        QCOMPARE(describe_failure(api_base_url("http://gpu:11434"), 0, 500,
                                  R"({"error":"model 'x' not found"})"),
                 QStringLiteral("gpu:11434 failed (500): model 'x' not found"));
    }

    void sendsImagesToAVisionServer() {
        ServerProcess vision;
        QVERIFY(vision.start({"-m", vlm("text.gguf"), "--mmproj", vlm("mmproj.gguf")}));
        RemoteChatClient client;
        client.set_endpoint(vision.base, {});
        const Answer a = ask(
            client, "text",
            user("What is in this image?", {RemotePart::of_image(file_bytes(vlm("image.png")))}),
            8);
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QCOMPARE(a.text,
                 cli_answer({"-m", vlm("text.gguf"), "--mmproj", vlm("mmproj.gguf"), "--image",
                             vlm("image.png"), "-n", "8", "-p", "What is in this image?"}));
    }

    // input_audio parts (WAV and MP3 as they are) reach a model that hears: the prompt holds the
    // sound's rows, and the answer is the engine's for the same sound.
    void sendsSoundToAServerThatHears() {
        ServerProcess hearing;
        QVERIFY(hearing.start({"-m", qwen2a("text.gguf"), "--mmproj", qwen2a("mmproj.gguf")}));
        RemoteChatClient client;
        client.set_endpoint(hearing.base, {});
        const Answer text_only = ask(client, "text", user("What is said?"), 8);
        QVERIFY2(text_only.error.isEmpty(), qPrintable(text_only.error));
        for (const char* name : {"jfk.wav", "jfk.mp3"}) {
            const QString format = QString::fromLatin1(name).section('.', -1);
            const Answer heard = ask(
                client, "text",
                user("What is said?", {RemotePart::of_audio(file_bytes(sound(name)), format)}), 8);
            QVERIFY2(heard.error.isEmpty(), qPrintable(heard.error));
            // 11 s of sound: 275 rows (fixture README) between <|audio_bos|> and <|audio_eos|>.
            QCOMPARE(heard.usage.prompt_tokens - text_only.usage.prompt_tokens, 277);
            if (format == QLatin1String("wav"))
                QCOMPARE(heard.text,
                         cli_answer({"-m", qwen2a("text.gguf"), "--mmproj", qwen2a("mmproj.gguf"),
                                     "--audio", sound(name), "-n", "8", "-p", "What is said?"}));
        }
    }

  private:
    ServerProcess text_;
};

}  // namespace prism::ui

QTEST_GUILESS_MAIN(prism::ui::RemoteChatClientTest)
#include "test_remote_chat_client.moc"
