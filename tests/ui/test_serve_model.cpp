// Settings > Serve the loaded model: the app serves its own loaded model over OpenAI's API on
// loopback, and a real client (a second app instance, as a user's other tools would) lists it
// and chats with it, getting the answer prism-cli gives; the app's own chat keeps working beside
// it; a wrong key is refused; a port in use is reported; turning it off closes the port.

#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#include "app_context.hpp"
#include "remote/secret_store.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

const QString kDemo = QStringLiteral(PRISM_RESOURCES_DIR "/models/stories260K.gguf");
const QString kQuestion = QStringLiteral("Tell me a story about a cat.");

// The HTTP status of GET url with the given key (0: no answer at all).
int http_status(const QString& url, const QString& key) {
    QNetworkAccessManager network;
    QNetworkRequest request{QUrl(url)};
    if (!key.isEmpty()) request.setRawHeader("Authorization", "Bearer " + key.toUtf8());
    QNetworkReply* reply = network.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    reply->deleteLater();
    return status;
}

QString cli_answer(const QString& system_prompt) {
    QProcess cli;
    cli.start(QStringLiteral(PRISM_CLI_PATH), {"run", "--temp", "0", "-n", "24", "-m", kDemo,
                                               "--system", system_prompt, "-p", kQuestion});
    if (!cli.waitForFinished(60000)) return QStringLiteral("prism-cli did not finish");
    return QString::fromUtf8(cli.readAllStandardOutput()).trimmed();
}

class ServeModelTest : public QObject {
    Q_OBJECT

    QTemporaryDir files_;

    std::unique_ptr<AppContext> start_app(const QString& name) {
        AppOptions options;
        options.settings_file = files_.filePath(name + QStringLiteral(".conf"));
        options.data_folder = files_.filePath(name + QStringLiteral("-data"));
        options.model_folders = {files_.filePath(QStringLiteral("models"))};
        auto app = std::make_unique<AppContext>(options);
        app->settings().setTemperature(0.0);
        app->chat().setProperty("maxTokens", 24);
        return app;
    }

    static QString last_answer(AppContext& app) {
        MessageListModel& messages = *app.chat().messages();
        const QModelIndex last = messages.index(messages.count() - 1);
        const QString error = messages.data(last, MessageListModel::ErrorRole).toString();
        return error.isEmpty() ? messages.data(last, MessageListModel::TextRole).toString()
                               : QStringLiteral("error: ") + error;
    }

  private slots:
    void servesTheLoadedModelToAClient() {
        auto host = start_app(QStringLiteral("host"));
        QVERIFY(!host->settings().serveEnabled());  // off until the user turns it on
        QCOMPARE(host->settings().serveHost(), QStringLiteral("127.0.0.1"));
        host->engine().loadModel(kDemo);
        QTRY_VERIFY_WITH_TIMEOUT(host->engine().modelLoaded(), 60000);
        QVERIFY(host->engine().servingUrl().isEmpty());

        host->engine().serveModel(true, QStringLiteral("127.0.0.1"), 0,
                                  QStringLiteral("serve-key"));
        QTRY_VERIFY_WITH_TIMEOUT(!host->engine().servingUrl().isEmpty(), 20000);
        const QString url = host->engine().servingUrl();
        QVERIFY2(url.startsWith(QLatin1String("http://127.0.0.1:")) && url.endsWith("/v1"),
                 qPrintable(url));
        QCOMPARE(host->engine().servingError(), QString());
        QCOMPARE(http_status(url + QStringLiteral("/models"), QStringLiteral("wrong")), 401);
        QCOMPARE(http_status(url + QStringLiteral("/models"), {}), 401);

        auto client = start_app(QStringLiteral("client"));
        client->engine().connectServer(url, QStringLiteral("serve-key"));
        QTRY_VERIFY_WITH_TIMEOUT(client->engine().modelLoaded(), 20000);
        QCOMPARE(client->engine().serverModels(), QStringList{"stories260K"});
        // The key that worked went to the keyring (or nowhere), never into the settings file.
        QVERIFY(client->settings().sync());
        QFile conf(client->settings().fileName());
        QVERIFY(!conf.open(QIODevice::ReadOnly) || !conf.readAll().contains("serve-key"));
        const QString expected = cli_answer(client->settings().systemPrompt());
        QVERIFY(client->chat().send(kQuestion));
        QTRY_VERIFY_WITH_TIMEOUT(!client->chat().generating(), 60000);
        QCOMPARE(last_answer(*client), expected);

        // The host's own chat on the same session, taking turns with the server.
        QVERIFY(host->chat().send(kQuestion));
        QTRY_VERIFY_WITH_TIMEOUT(!host->chat().generating(), 60000);
        QCOMPARE(last_answer(*host), expected);

        host->engine().serveModel(false, {}, 0, {});
        QTRY_VERIFY_WITH_TIMEOUT(host->engine().servingUrl().isEmpty(), 20000);
        QCOMPARE(http_status(url + QStringLiteral("/models"), QStringLiteral("serve-key")), 0);
    }

    // A key is stored in the desktop's keyring and read back; where none runs (CI), the write
    // and the read say why and nothing is stored.
    void keysGoToTheKeyringOrNowhere() {
        SecretStore store;
        QSignalSpy written(&store, &SecretStore::secretWritten);
        QSignalSpy read(&store, &SecretStore::secretRead);
        const QString name =
            QStringLiteral("test entry ") + QString::number(QCoreApplication::applicationPid());
        store.write(name, QStringLiteral("s3cret-xyz"));
        QTRY_COMPARE_WITH_TIMEOUT(written.count(), 1, 30000);
        const QString write_error = written[0][1].toString();
        store.read(name);
        QTRY_COMPARE_WITH_TIMEOUT(read.count(), 1, 30000);
        QCOMPARE(read[0][0].toString(), name);
        if (write_error.isEmpty()) {
            QCOMPARE(read[0][1].toString(), QStringLiteral("s3cret-xyz"));
            store.write(name, {});  // forget it again
            QTRY_COMPARE_WITH_TIMEOUT(written.count(), 2, 30000);
            QCOMPARE(written[1][1].toString(), QString());
        } else {
            QCOMPARE(read[0][1].toString(), QString());
            QVERIFY2(!read[0][2].toString().isEmpty(), "a failed read says why");
        }
    }

    void aPortInUseIsReported() {
        QTcpServer busy;
        QVERIFY(busy.listen(QHostAddress::LocalHost));
        auto host = start_app(QStringLiteral("busy"));
        host->engine().loadModel(kDemo);
        QTRY_VERIFY_WITH_TIMEOUT(host->engine().modelLoaded(), 60000);
        host->engine().serveModel(true, QStringLiteral("127.0.0.1"), busy.serverPort(), {});
        QTRY_VERIFY_WITH_TIMEOUT(!host->engine().servingError().isEmpty(), 20000);
        const QString error = host->engine().servingError();
        QVERIFY2(
            error.contains(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(busy.serverPort())),
            qPrintable(error));
        QVERIFY(host->engine().servingUrl().isEmpty());
    }
};

const RegisterSuite<ServeModelTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_serve_model.moc"
