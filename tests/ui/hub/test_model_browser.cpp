// ModelBrowser, the state behind the QML view, against the loopback hub: search, the file list
// with quantization and fit, and a download that brings the repository's mmproj along.
#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "data/model_catalog.hpp"
#include "hub/fit_estimate.hpp"
#include "hub/model_browser.hpp"
#include "prism/gguf.hpp"
#include "prism/models/architecture.hpp"
#include "prism/models/decoder.hpp"
#include "ui/hub/hub_server.hpp"

namespace prism::test {

class ModelBrowserTest : public QObject {
    Q_OBJECT

  private slots:
    void searchOpenFitAndDownloadWithMmproj() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        QTemporaryDir models;
        ui::ModelBrowser browser(models.path(), server.url());
        browser.setContextSize(512);
        QSignalSpy downloaded(&browser, &ui::ModelBrowser::modelDownloaded);

        browser.search(QStringLiteral("gemma3"));
        QTRY_COMPARE_WITH_TIMEOUT(browser.repos().size(), 1, 20000);
        const QString repo = browser.repos()[0].toMap()[QStringLiteral("id")].toString();
        QCOMPARE(repo, QStringLiteral("prism-test/tiny-gemma3-vision-GGUF"));

        browser.openRepo(repo);
        QTRY_COMPARE_WITH_TIMEOUT(browser.files().size(), 2, 20000);
        // Until the device memory is known, nothing is said to fit.
        for (const QVariant& row : browser.files())
            QCOMPARE(row.toMap()[QStringLiteral("fit")].toString(), QString());

        // The KV shape came from a Range read of the text model's header; with exactly the
        // memory the estimate needs, the model fits, with one byte less it does not.
        const QString text_path = source_file(QStringLiteral("tests/data/vlm/gemma3/text.gguf"));
        const QString mmproj_path =
            source_file(QStringLiteral("tests/data/vlm/gemma3/mmproj.gguf"));
        // The cache as the engine sizes it at the browser's context of 512: its sliding-window
        // layers keep their window and one 256-row chunk.
        const gguf::File text = gguf::File::open(text_path.toStdString());
        const models::DecoderHParams h = models::read_hparams(text);
        qint64 cache_rows = 0;
        for (std::size_t il = 0; il < static_cast<std::size_t>(h.n_layer); ++il)
            cache_rows += models::kv_cache_rows(h, il, {.n_ctx = 512, .prefill_chunk = 256});
        const qint64 needed = QFileInfo(text_path).size() + QFileInfo(mmproj_path).size() +
                              2 * h.n_head_kv * h.head_dim * cache_rows * 2;
        browser.setDeviceMemory(needed);
        auto fit_of_text = [&] {
            for (const QVariant& row : browser.files())
                if (!row.toMap()[QStringLiteral("mmproj")].toBool())
                    return row.toMap()[QStringLiteral("fit")].toString();
            return QString();
        };
        QTRY_COMPARE_WITH_TIMEOUT(fit_of_text(), QStringLiteral("yes"), 20000);
        browser.setDeviceMemory(needed - 1);
        QCOMPARE(fit_of_text(), QStringLiteral("no"));

        browser.download(QStringLiteral("tiny-gemma3-vision-F32.gguf"), true);
        QCOMPARE(browser.downloads().size(), 2);  // the model and its mmproj
        QTRY_COMPARE_WITH_TIMEOUT(downloaded.size(), 2, 30000);
        QVERIFY(QFileInfo::exists(
            browser.destination(repo, QStringLiteral("mmproj-tiny-gemma3-vision-F32.gguf"))));
        for (const QVariant& row : browser.files())
            QVERIFY(row.toMap()[QStringLiteral("downloaded")].toBool());
    }

    // A model split into parts ("-00001-of-00003.gguf" ...) is one row with the parts' total
    // size, and downloading it brings every part; a set the hub lists only in part is offered
    // as incomplete and not downloaded.
    void splitModelIsOneModelWithAllItsParts() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        QTemporaryDir models;
        ui::ModelBrowser browser(models.path(), server.url());
        QSignalSpy downloaded(&browser, &ui::ModelBrowser::modelDownloaded);
        const QString repo = QStringLiteral("prism-test/stories260K-split-GGUF");
        browser.openRepo(repo);
        QTRY_COMPARE_WITH_TIMEOUT(browser.files().size(), 2, 20000);
        const QVariantMap split = browser.files()[0].toMap();
        QCOMPARE(split[QStringLiteral("path")].toString(),
                 QStringLiteral("stories260K-F32-00001-of-00003.gguf"));
        QFile demo(source_file(QStringLiteral("resources/models/stories260K.gguf")));
        QVERIFY(demo.open(QIODevice::ReadOnly));
        const QByteArray whole = demo.readAll();
        QCOMPARE(split[QStringLiteral("size")].toLongLong(), whole.size());
        QCOMPARE(split[QStringLiteral("parts")].toInt(), 3);
        QVERIFY(split[QStringLiteral("complete")].toBool());
        QCOMPARE(split[QStringLiteral("quant")].toString(), QStringLiteral("F32"));
        const QVariantMap partial = browser.files()[1].toMap();
        QCOMPARE(partial[QStringLiteral("parts")].toInt(), 2);
        QVERIFY(!partial[QStringLiteral("complete")].toBool());

        browser.download(partial[QStringLiteral("path")].toString(), true);
        QVERIFY2(browser.error().contains(QStringLiteral("only 1 of them")),
                 qPrintable(browser.error()));
        QCOMPARE(browser.downloads().size(), 0);

        browser.download(split[QStringLiteral("path")].toString(), true);
        QCOMPARE(browser.downloads().size(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(downloaded.size(), 3, 30000);
        QByteArray joined;
        for (int part = 1; part <= 3; ++part) {
            QFile f(browser.destination(
                repo, QStringLiteral("stories260K-F32-0000%1-of-00003.gguf").arg(part)));
            QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(f.fileName()));
            joined += f.readAll();
        }
        QVERIFY(joined == whole);
        QVERIFY(browser.files()[0].toMap()[QStringLiteral("downloaded")].toBool());
    }

    // Real shards (tests/data/models/split, written by the gguf package): once every part is
    // down, the model menu lists the model once, by its first shard, sized with all three.
    void downloadedSplitModelIsOneModelInTheMenu() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        QTemporaryDir models;
        ui::ModelBrowser browser(models.path(), server.url());
        QSignalSpy downloaded(&browser, &ui::ModelBrowser::modelDownloaded);
        const QString repo = QStringLiteral("prism-test/split-llama-GGUF");
        browser.openRepo(repo);
        QTRY_COMPARE_WITH_TIMEOUT(browser.files().size(), 1, 20000);
        const QString first = browser.files()[0].toMap()[QStringLiteral("path")].toString();
        QCOMPARE(first, QStringLiteral("tiny-llama-F32-00001-of-00003.gguf"));
        browser.download(first, false);
        QTRY_COMPARE_WITH_TIMEOUT(downloaded.size(), 3, 30000);

        ui::ModelCatalog catalog;
        catalog.setFolders({models.path()});
        const std::vector<ui::ModelInfo> listed = catalog.scanNow();
        QCOMPARE(listed.size(), std::size_t{1});
        QVERIFY2(!listed[0].broken, qPrintable(listed[0].error));
        QCOMPARE(listed[0].path, browser.destination(repo, first));
        // The shards' general.name, not the file prefix.
        QCOMPARE(listed[0].name, QStringLiteral("tiny-llama"));
        qint64 bytes = 0;
        for (int part = 1; part <= 3; ++part)
            bytes += QFileInfo(source_file(QStringLiteral("tests/data/models/split/"
                                                          "tiny-llama-f32-0000%1-of-00003.gguf")
                                               .arg(part)))
                         .size();
        QCOMPARE(listed[0].size_bytes, bytes);
    }

    void hubErrorsAreShown() {
        QTemporaryDir models;
        ui::ModelBrowser browser(models.path(), QUrl(QStringLiteral("http://127.0.0.1:9")));
        browser.search(QStringLiteral("x"));
        QTRY_VERIFY_WITH_TIMEOUT(!browser.busy(), 20000);
        QVERIFY2(browser.error().startsWith(QStringLiteral("cannot reach")),
                 qPrintable(browser.error()));
    }
};

int run_model_browser_tests(int argc, char** argv) {
    ModelBrowserTest test;
    return QTest::qExec(&test, argc, argv);
}

}  // namespace prism::test

#include "test_model_browser.moc"
