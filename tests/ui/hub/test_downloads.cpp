// ModelDownload against the loopback hub: complete, resumed, paused, refused and cancelled
// downloads of real GGUF files, checked byte for byte against the files the server serves.
#include <QCryptographicHash>
#include <QFile>
#include <QNetworkAccessManager>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "data/model_catalog.hpp"
#include "hub/hub_api.hpp"
#include "hub/model_download.hpp"
#include "ui/hub/hub_server.hpp"

namespace prism::test {

using ui::ModelDownload;
using State = ModelDownload::State;

namespace {

const QString kRepo = QStringLiteral("prism-test/tiny-llama-GGUF");
const QString kFile = QStringLiteral("tiny-llama-F32.gguf");  // 418528 bytes
const QString kSource = QStringLiteral("tests/data/models/tiny-llama-f32.gguf");

QByteArray file_bytes(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// "<destination>.part" holding `bytes`, as an interrupted download leaves it.
bool write_part(const QString& destination, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(destination).absolutePath());
    QFile part(destination + QStringLiteral(".part"));
    return part.open(QIODevice::WriteOnly) && part.write(bytes) == bytes.size();
}

QString sha256_hex(const QByteArray& bytes) {
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

}  // namespace

class DownloadTest : public QObject {
    Q_OBJECT

    QTemporaryDir models_;
    QNetworkAccessManager network_;

    ModelDownload::Target target(const HubServer& server, const QString& repo = kRepo,
                                 const QString& file = kFile, const QString& source = kSource) {
        const QByteArray bytes = file_bytes(source_file(source));
        ModelDownload::Target t;
        t.url = ui::hub_file_url(server.url(), repo, file);
        t.destination = models_.filePath(repo + QLatin1Char('/') + file);
        t.size = bytes.size();
        t.sha256 = sha256_hex(bytes);
        return t;
    }

  private slots:
    void cleanup() {
        QDir(models_.path()).removeRecursively();
        QDir().mkpath(models_.path());
    }

    void completeDownloadIsCheckedAndFoundByTheCatalog() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        const QString repo = QStringLiteral("prism-test/tiny-gemma3-vision-GGUF");
        ModelDownload text(&network_,
                           target(server, repo, QStringLiteral("tiny-gemma3-vision-F32.gguf"),
                                  QStringLiteral("tests/data/vlm/gemma3/text.gguf")));
        ModelDownload mmproj(
            &network_, target(server, repo, QStringLiteral("mmproj-tiny-gemma3-vision-F32.gguf"),
                              QStringLiteral("tests/data/vlm/gemma3/mmproj.gguf")));
        text.start();
        mmproj.start();
        QTRY_VERIFY_WITH_TIMEOUT(text.state() == State::Done, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(mmproj.state() == State::Done, 30000);
        QCOMPARE(file_bytes(text.destination()),
                 file_bytes(source_file(QStringLiteral("tests/data/vlm/gemma3/text.gguf"))));
        QVERIFY(!QFile::exists(text.partPath()));
        QCOMPARE(text.received(), text.total());

        // The model menu lists it, paired with the projector downloaded beside it.
        ui::ModelCatalog catalog;
        catalog.setFolders({models_.path()});
        bool paired = false;
        for (const ui::ModelInfo& model : catalog.scanNow())
            if (model.path == text.destination())
                paired = model.mmproj_path == mmproj.destination();
        QVERIFY2(paired, "the downloaded model is not listed with its mmproj");
    }

    void droppedConnectionResumesWithARange() {
        HubServer server({QStringLiteral("--drop-after"), QStringLiteral("100000")});
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload download(&network_, target(server));
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.state() != State::Running, 30000);
        QVERIFY2(download.state() == State::Done, qPrintable(download.error()));
        // Qt itself sometimes sends the first request again when its connection closes; each
        // whole-file try ends at the same byte, and the download asks only for the rest.
        QStringList ranges = server.ranges(kFile);
        QVERIFY(ranges.size() >= 2);
        QCOMPARE(ranges.takeLast(), QStringLiteral("bytes=100000-"));
        QCOMPARE(ranges, QStringList(ranges.size(), QStringLiteral("-")));
        QCOMPARE(file_bytes(download.destination()), file_bytes(source_file(kSource)));
    }

    void pauseKeepsThePartAndResumeContinuesIt() {
        HubServer server({QStringLiteral("--slow-ms"), QStringLiteral("20")});
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload download(&network_, target(server));
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.received() >= 16384, 30000);
        download.pause();
        QCOMPARE(download.state(), State::Paused);
        const qint64 kept = download.received();
        QCOMPARE(QFileInfo(download.partPath()).size(), kept);

        // A new object, as after a restart of the app: it resumes from the part file.
        HubServer fast;
        QVERIFY2(fast.started(), qPrintable(fast.startError()));
        ModelDownload resumed(&network_, target(fast));
        resumed.start();
        QTRY_VERIFY_WITH_TIMEOUT(resumed.state() != State::Running, 30000);
        QVERIFY2(resumed.state() == State::Done, qPrintable(resumed.error()));
        QCOMPARE(fast.ranges(kFile), QStringList({QStringLiteral("bytes=%1-").arg(kept)}));
        QCOMPARE(file_bytes(resumed.destination()), file_bytes(source_file(kSource)));
    }

    // The part already on disk is hashed on a worker thread: start() returns before any
    // request, a pause meanwhile drops the hashing's result and keeps the part as it was, and
    // the next start hashes it again and resumes after it.
    void pauseWhileTheHashingOfThePartRuns() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        const ModelDownload::Target t = target(server);
        const QByteArray source = file_bytes(source_file(kSource));
        const qint64 kept = 300000;
        QVERIFY(write_part(t.destination, source.left(kept)));

        ModelDownload download(&network_, t);
        download.start();
        QCOMPARE(download.state(), State::Running);
        QCOMPARE(download.received(), kept);
        download.pause();
        QCOMPARE(download.state(), State::Paused);
        QTest::qWait(300);  // the worker's result, had it been used, would have sent a request
        QVERIFY(server.ranges(kFile).isEmpty());
        QCOMPARE(file_bytes(download.partPath()), source.left(kept));

        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.state() != State::Running, 30000);
        QVERIFY2(download.state() == State::Done, qPrintable(download.error()));
        QCOMPARE(server.ranges(kFile), QStringList({QStringLiteral("bytes=%1-").arg(kept)}));
        QCOMPARE(file_bytes(download.destination()), source);
    }

    // A part whose bytes are not the file's start is caught by the checksum, which covers the
    // part hashed on the worker thread and the rest received after it.
    void resumedPartIsPartOfTheChecksum() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        const ModelDownload::Target t = target(server);
        QByteArray wrong = file_bytes(source_file(kSource)).left(300000);
        wrong[1000] = static_cast<char>(wrong[1000] ^ 0x01);
        QVERIFY(write_part(t.destination, wrong));
        ModelDownload download(&network_, t);
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.state() != State::Running, 30000);
        QCOMPARE(download.state(), State::Failed);
        QVERIFY2(download.error().contains(QStringLiteral("differs from the hub's")),
                 qPrintable(download.error()));
        QCOMPARE(server.ranges(kFile), QStringList({QStringLiteral("bytes=300000-")}));
    }

    // Destroyed while the part is being hashed: nothing is sent and the part stays for later.
    void destroyedWhileTheHashingOfThePartRuns() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        const ModelDownload::Target t = target(server);
        const QByteArray start = file_bytes(source_file(kSource)).left(200000);
        QVERIFY(write_part(t.destination, start));
        {
            ModelDownload download(&network_, t);
            download.start();
        }
        QTest::qWait(300);
        QVERIFY(server.ranges(kFile).isEmpty());
        QCOMPARE(file_bytes(t.destination + QStringLiteral(".part")), start);
    }

    void serverIgnoringRangeRestartsTheFile() {
        HubServer server({QStringLiteral("--ignore-range")});
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload::Target t = target(server);
        QDir().mkpath(QFileInfo(t.destination).absolutePath());
        QFile part(t.destination + QStringLiteral(".part"));
        QVERIFY(part.open(QIODevice::WriteOnly));
        part.write(QByteArray(5000, 'x'));  // not the file's start: must not survive
        part.close();
        ModelDownload download(&network_, t);
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.state() != State::Running, 30000);
        QVERIFY2(download.state() == State::Done, qPrintable(download.error()));
        QCOMPARE(file_bytes(download.destination()), file_bytes(source_file(kSource)));
    }

    void checksumMismatchKeepsTheFileAsideAndSaysSo() {
        HubServer server({QStringLiteral("--wrong-sha"), kFile});
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload::Target t = target(server);
        t.sha256 = sha256_hex("not this file");  // what this server's tree lists
        ModelDownload download(&network_, t);
        QSignalSpy finished(&download, &ModelDownload::finished);
        download.start();
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
        QCOMPARE(download.state(), State::Failed);
        QVERIFY2(download.error().contains(QStringLiteral("SHA-256 ") +
                                           sha256_hex(file_bytes(source_file(kSource)))),
                 qPrintable(download.error()));
        QVERIFY(download.error().contains(download.corruptPath()));
        QVERIFY(!QFile::exists(download.destination()));
        QCOMPARE(file_bytes(download.corruptPath()), file_bytes(source_file(kSource)));
    }

    void fullDiskStopsWithTheSystemsReason() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload::Target t = target(server);
        QDir().mkpath(QFileInfo(t.destination).absolutePath());
        // Every write to /dev/full fails with ENOSPC, as on a full disk.
        QVERIFY(QFile::link(QStringLiteral("/dev/full"), t.destination + QStringLiteral(".part")));
        ModelDownload download(&network_, t);
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.state() != State::Running, 30000);
        QCOMPARE(download.state(), State::Failed);
        QVERIFY2(download.error().startsWith(QStringLiteral("cannot write ")) &&
                     download.error().contains(QStringLiteral("No space left on device")),
                 qPrintable(download.error()));
        QVERIFY(!QFile::exists(t.destination));
    }

    void tooLittleFreeSpaceIsRefusedBeforeStarting() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload::Target t = target(server);
        t.size = qint64{1} << 60;  // an exbibyte: no disk here has it
        ModelDownload download(&network_, t);
        download.start();
        QCOMPARE(download.state(), State::Failed);
        QVERIFY2(download.error().startsWith(QStringLiteral("not enough free space in ")),
                 qPrintable(download.error()));
        QVERIFY(server.ranges(kFile).isEmpty());
    }

    void missingFileIsA404() {
        HubServer server;
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload::Target t = target(server);
        t.url = ui::hub_file_url(server.url(), kRepo, QStringLiteral("gone-Q4_K_M.gguf"));
        ModelDownload download(&network_, t);
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.state() != State::Running, 30000);
        QCOMPARE(download.state(), State::Failed);
        QVERIFY2(download.error().contains(QStringLiteral("answered 404")),
                 qPrintable(download.error()));
        QVERIFY(!QFile::exists(t.destination));
    }

    void cancelStopsASlowTransferAndDeletesThePart() {
        HubServer server({QStringLiteral("--slow-ms"), QStringLiteral("200")});
        QVERIFY2(server.started(), qPrintable(server.startError()));
        ModelDownload download(&network_, target(server));
        QSignalSpy finished(&download, &ModelDownload::finished);
        download.start();
        QTRY_VERIFY_WITH_TIMEOUT(download.received() > 0, 30000);
        download.cancel();
        QCOMPARE(download.state(), State::Cancelled);
        QCOMPARE(finished.size(), 1);
        QVERIFY(!QFile::exists(download.partPath()));
        QVERIFY(!QFile::exists(download.destination()));
        // Nothing more arrives after the cancel.
        const qint64 received = download.received();
        QTest::qWait(500);
        QCOMPARE(download.received(), received);
    }
};

int run_download_tests(int argc, char** argv) {
    DownloadTest test;
    return QTest::qExec(&test, argc, argv);
}

}  // namespace prism::test

#include "test_downloads.moc"
