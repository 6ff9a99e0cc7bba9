// The hub's JSON shapes and file names, and HubClient against the loopback hub.
#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTest>

#include "hub/fit_estimate.hpp"
#include "hub/gguf_file_names.hpp"
#include "hub/hub_api.hpp"
#include "hub/hub_client.hpp"
#include "ui/hub/hub_server.hpp"

namespace prism::test {

using ui::HubFile;
using ui::HubRepo;

class HubApiTest : public QObject {
    Q_OBJECT

  private slots:
    void quantLabelsFollowLlamaCppNames_data() {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("label");
        QTest::newRow("k-quant") << "Qwen2.5-VL-3B-Instruct-Q4_K_M.gguf"
                                 << "Q4_K_M";
        QTest::newRow("lower case") << "gemma-3-4b-it-q4_k_m.gguf"
                                    << "Q4_K_M";
        QTest::newRow("q8_0") << "SmolVLM-256M-Instruct-Q8_0.gguf"
                              << "Q8_0";
        QTest::newRow("i-quant") << "Llama-3.2-1B-Instruct-IQ2_XXS.gguf"
                                 << "IQ2_XXS";
        QTest::newRow("ternary") << "model-TQ1_0.gguf"
                                 << "TQ1_0";
        QTest::newRow("mmproj f16") << "mmproj-SmolVLM-256M-Instruct-f16.gguf"
                                    << "F16";
        QTest::newRow("bf16") << "Qwen3-0.6B-BF16.gguf"
                              << "BF16";
        QTest::newRow("dot separated") << "SmolLM2-135M-Instruct.Q4_1.gguf"
                                       << "Q4_1";
        QTest::newRow("split") << "big-Q4_K_M-00001-of-00003.gguf"
                               << "Q4_K_M";
        QTest::newRow("none") << "stories260K.gguf"
                              << "";
        QTest::newRow("q in a word") << "Qwen2-7B.gguf"
                                     << "";
    }
    void quantLabelsFollowLlamaCppNames() {
        QFETCH(QString, name);
        QFETCH(QString, label);
        QCOMPARE(ui::quant_label(name), label);
    }

    void splitPartsAreRecognised() {
        int part = 0, parts = 0;
        QVERIFY(ui::split_part(QStringLiteral("m-Q4_K_M-00002-of-00003.gguf"), part, parts));
        QCOMPARE(part, 2);
        QCOMPARE(parts, 3);
        QVERIFY(!ui::split_part(QStringLiteral("m-Q4_K_M.gguf"), part, parts));
        QVERIFY(!ui::split_part(QStringLiteral("m-00004-of-00003.gguf"), part, parts));
    }

    void mmprojOfferedIsTheHighestPrecision() {
        const QList<HubFile> files{{QStringLiteral("m-Q4_K_M.gguf"), 10, {}},
                                   {QStringLiteral("mmproj-m-Q8_0.gguf"), 5, {}},
                                   {QStringLiteral("mmproj-m-f32.gguf"), 9, {}},
                                   {QStringLiteral("mmproj-m-f16.gguf"), 7, {}}};
        QCOMPARE(ui::matching_mmproj(files), QStringLiteral("mmproj-m-f16.gguf"));
        QCOMPARE(ui::matching_mmproj(files.mid(0, 1)), QString());
    }

    void treeKeepsGgufFilesWithTheirLfsChecksum() {
        const QByteArray json = R"([
          {"type": "directory", "oid": "1", "size": 0, "path": "sub"},
          {"type": "file", "oid": "2", "size": 1519, "path": ".gitattributes"},
          {"type": "file", "oid": "3", "size": 100, "path": "a-Q8_0.gguf",
           "lfs": {"oid": "AB12000000000000000000000000000000000000000000000000000000000000",
                   "size": 4000, "pointerSize": 134}},
          {"type": "file", "oid": "4", "size": 50, "path": "sub/b-F16.gguf",
           "lfs": {"oid": "sha256:cd34000000000000000000000000000000000000000000000000000000000000",
                   "size": 50, "pointerSize": 134}},
          {"type": "file", "oid": "5", "size": 7, "path": "../escape.gguf",
           "lfs": {"oid": "ef56000000000000000000000000000000000000000000000000000000000000",
                   "size": 7, "pointerSize": 134}},
          {"type": "file", "oid": "6", "size": 9, "path": "in-git.gguf"}
        ])";
        QList<HubFile> files;
        QString error;
        QVERIFY2(ui::parse_hub_tree(json, files, error), qPrintable(error));
        QCOMPARE(files.size(), 3);
        QCOMPARE(files[0].path, QStringLiteral("a-Q8_0.gguf"));
        QCOMPARE(files[0].size, 4000);  // the LFS size, not the pointer's
        QVERIFY(files[0].sha256.startsWith(QStringLiteral("ab12")));
        QVERIFY(files[1].sha256.startsWith(QStringLiteral("cd34")));
        QCOMPARE(files[2].path, QStringLiteral("in-git.gguf"));
        QVERIFY(files[2].sha256.isEmpty());
    }

    void malformedAnswersAreOneLineErrors() {
        QList<HubFile> files;
        QList<HubRepo> repos;
        QString error;
        QVERIFY(!ui::parse_hub_tree("{\"error\": \"x\"}", files, error));
        QVERIFY(error.contains(QStringLiteral("not a list")));
        QVERIFY(!ui::parse_hub_search("[{\"id\": ", repos, error));
        QVERIFY(error.contains(QStringLiteral("not JSON")));
        QVERIFY(ui::parse_hub_search(R"([{"id": "../x"}, {"id": "a/b", "downloads": 3}])", repos,
                                     error));
        QCOMPARE(repos.size(), 1);
        QCOMPARE(repos[0].downloads, 3);
    }

    void baseUrlComesFromTheEnvironmentFirst() {
        qputenv("PRISM_HUB_URL", "http://127.0.0.1:9");
        QCOMPARE(ui::hub_base_url(QStringLiteral("http://example.org")),
                 QUrl(QStringLiteral("http://127.0.0.1:9")));
        qunsetenv("PRISM_HUB_URL");
        QCOMPARE(ui::hub_base_url(QStringLiteral("http://example.org")),
                 QUrl(QStringLiteral("http://example.org")));
        QCOMPARE(ui::hub_base_url(), QUrl(QStringLiteral("https://huggingface.co")));
        const QUrl url = ui::hub_file_url(QUrl(QStringLiteral("https://huggingface.co/")),
                                          QStringLiteral("o/n"), QStringLiteral("m-Q8_0.gguf"));
        QCOMPARE(url.toString(),
                 QStringLiteral("https://huggingface.co/o/n/resolve/main/m-Q8_0.gguf"));
    }

    void searchAndFileListComeFromTheHub() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        QNetworkAccessManager network;
        ui::HubClient client(&network, server.url());
        QSignalSpy found(&client, &ui::HubClient::searchFinished);
        QSignalSpy listed(&client, &ui::HubClient::filesListed);
        QSignalSpy failed(&client, &ui::HubClient::failed);

        client.search(QStringLiteral("tiny"));
        QTRY_COMPARE_WITH_TIMEOUT(found.size(), 1, 20000);
        const auto repos = found[0][0].value<QList<HubRepo>>();
        QCOMPARE(repos.size(), 2);
        QCOMPARE(repos[0].id, QStringLiteral("prism-test/tiny-llama-GGUF"));  // most downloads
        QCOMPARE(repos[0].downloads, 1200);

        client.listFiles(QStringLiteral("prism-test/tiny-gemma3-vision-GGUF"));
        QTRY_COMPARE_WITH_TIMEOUT(listed.size(), 1, 20000);
        const auto files = listed[0][1].value<QList<HubFile>>();
        QCOMPARE(files.size(), 2);  // .gitattributes is not offered
        QCOMPARE(ui::matching_mmproj(files), QStringLiteral("mmproj-tiny-gemma3-vision-F32.gguf"));
        for (const HubFile& file : files) {
            QCOMPARE(file.sha256.size(), 64);
            QVERIFY(file.size > 100000);
        }

        client.listFiles(QStringLiteral("prism-test/no-such-repo"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
        QVERIFY2(failed[0][0].toString().contains(QStringLiteral("404")),
                 qPrintable(failed[0][0].toString()));
        client.listFiles(QStringLiteral("../etc"));
        QCOMPARE(failed.size(), 2);
        QVERIFY(failed[1][0].toString().contains(QStringLiteral("not a repository name")));
    }

    void headerProbeReadsTheShapeWithARangeRequest_data() {
        QTest::addColumn<QStringList>("options");
        QTest::newRow("range") << QStringList();
        QTest::newRow("server ignores range") << QStringList{QStringLiteral("--ignore-range")};
    }
    void headerProbeReadsTheShapeWithARangeRequest() {
        QFETCH(QStringList, options);
        HubServer server(options);
        QVERIFY2(server.started(), qPrintable(server.startError()));
        QNetworkAccessManager network;
        ui::HubClient client(&network, server.url());
        QSignalSpy found(&client, &ui::HubClient::kvShapeFound);
        client.probeKvShape(QStringLiteral("prism-test/tiny-llama-GGUF"),
                            QStringLiteral("tiny-llama-Q8_0.gguf"));
        QTRY_COMPARE_WITH_TIMEOUT(found.size(), 1, 20000);
        QFile file(source_file(QStringLiteral("tests/data/models/tiny-llama-q8_0.gguf")));
        QVERIFY(file.open(QIODevice::ReadOnly));
        ui::KvShape expected;
        QString error;
        QCOMPARE(ui::probe_gguf_kv_shape(file.readAll(), expected, error), ui::ProbeResult::Done);
        const auto shape = found[0][2].value<ui::KvShape>();
        QCOMPARE(shape.n_layer, expected.n_layer);
        QCOMPARE(shape.n_head_kv, expected.n_head_kv);
        QCOMPARE(shape.head_dim, expected.head_dim);
        if (options.isEmpty())
            QCOMPARE(server.ranges(QStringLiteral("tiny-llama-Q8_0.gguf")),
                     QStringList{QStringLiteral("bytes=0-1048575")});
    }

    void unreachableHubSaysSo() {
        QNetworkAccessManager network;
        // Port 9 (discard) on loopback: nothing listens there.
        ui::HubClient client(&network, QUrl(QStringLiteral("http://127.0.0.1:9")));
        QSignalSpy failed(&client, &ui::HubClient::failed);
        client.search(QStringLiteral("x"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 20000);
        QVERIFY2(failed[0][0].toString().startsWith(QStringLiteral("cannot reach 127.0.0.1")),
                 qPrintable(failed[0][0].toString()));
    }
};

int run_hub_api_tests(int argc, char** argv) {
    HubApiTest test;
    return QTest::qExec(&test, argc, argv);
}

}  // namespace prism::test

#include "test_hub_api.moc"
