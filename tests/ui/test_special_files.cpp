// A FIFO or a device given to the app as an image (drag and drop, --image, the history's image
// import) or as a model: refused by its kind at once, without blocking in open() or reading the
// device without end.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <functional>
#include <future>

#include "data/image_library.hpp"
#include "data/model_inspector.hpp"
#include "image_decoder.hpp"
#include "media_decoder.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

// Runs `call` on another thread. When it has not returned within 20 s, a writer opens the
// FIFO (which releases an open() blocked on it) and `blocked` is set, so a regression fails
// the test instead of hanging it.
QString error_without_blocking(const std::function<QString()>& call, const QString& fifo,
                               bool& blocked) {
    auto done = std::async(std::launch::async, call);
    blocked = done.wait_for(std::chrono::seconds(20)) == std::future_status::timeout;
    while (done.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout) {
        const int fd = ::open(QFile::encodeName(fifo).constData(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) ::close(fd);
    }
    return done.get();
}

class SpecialFilesTest : public QObject {
    Q_OBJECT
  private slots:
    void init() {
        QVERIFY(folder_.isValid());
        fifo_ = folder_.filePath(QStringLiteral("camera.png"));
        QVERIFY(::mkfifo(QFile::encodeName(fifo_).constData(), 0600) == 0);
    }
    void cleanup() { QFile::remove(fifo_); }

    void decodingAFifoIsRefusedWithoutBlocking() {
        bool blocked = false;
        const QString error = error_without_blocking(
            [this] { return decode_image_file(fifo_).error; }, fifo_, blocked);
        QVERIFY(!blocked);
        QCOMPARE(error, fifo_ + QStringLiteral(": not a regular file (a FIFO)"));
    }

    void aFifoNamedAsASoundIsRefusedWithoutBlocking() {
        const QString sound = folder_.filePath(QStringLiteral("microphone.wav"));
        QVERIFY(::mkfifo(QFile::encodeName(sound).constData(), 0600) == 0);
        bool blocked = false;
        const QString error = error_without_blocking(
            [&] { return decode_attachment_file(sound).error; }, sound, blocked);
        QFile::remove(sound);
        QVERIFY(!blocked);
        // The composer names the file, not its folder.
        QCOMPARE(error, QStringLiteral("microphone.wav: not a regular file (a FIFO)"));
    }

    void decodingADeviceIsRefused() {
        const DecodedImage decoded = decode_image_file(QStringLiteral("/dev/zero"));
        QCOMPARE(decoded.error,
                 QStringLiteral("/dev/zero: not a regular file (a character device)"));
        QVERIFY(decoded.thumbnail.isNull());
    }

    void importingAFifoOrADeviceIsRefused() {
        const ImageLibrary library(folder_.filePath(QStringLiteral("library")));
        bool blocked = false;
        const QString error =
            error_without_blocking([&] { return library.import(fifo_).error; }, fifo_, blocked);
        QVERIFY(!blocked);
        QCOMPARE(error, fifo_ + QStringLiteral(": not a regular file (a FIFO)"));
        const ImportedImage zero = library.import(QStringLiteral("/dev/zero"));
        QCOMPARE(zero.error, QStringLiteral("/dev/zero: not a regular file (a character device)"));
        QVERIFY(zero.relative_path.isEmpty());
    }

    void inspectingAFifoAsAModelIsRefusedWithoutBlocking() {
        bool blocked = false;
        ModelInfo info;
        const QString error = error_without_blocking(
            [&] {
                info = inspect_model_file(fifo_);
                return info.error;
            },
            fifo_, blocked);
        QVERIFY(!blocked);
        QVERIFY(info.broken);
        QCOMPARE(error, fifo_ + QStringLiteral(": not a regular file (a FIFO)"));
    }

  private:
    QTemporaryDir folder_;
    QString fifo_;
};

const RegisterSuite<SpecialFilesTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_special_files.moc"
