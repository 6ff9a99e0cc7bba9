// Attaching a FIFO or a device (drag and drop, --image, the history's image import): refused
// by its kind at once, without blocking in open() or reading the device without end.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <functional>
#include <future>

#include "data/image_library.hpp"
#include "image_decoder.hpp"
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

class AttachmentFilesTest : public QObject {
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

  private:
    QTemporaryDir folder_;
    QString fifo_;
};

const RegisterSuite<AttachmentFilesTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_attachment_files.moc"
