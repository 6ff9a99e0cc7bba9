// The history across processes: a second process sees the same conversations, and a process
// killed (SIGKILL) while it streams an answer leaves the text it had written.
//
// The helper process is this test program started with:
//   --child-list <folder>                     prints "<id>\t<title>" per conversation
//   --child-stream <folder> <conversation>    streams an answer "w0 w1 w2 ..." one word per
//                                             ~10 ms, printing each word's number after
//                                             handing it to the store; never finishes
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <algorithm>
#include <cstdio>

#include "data/conversation_store.hpp"
#include "ui/data/test_suites.hpp"

using prism::ui::ConversationStore;

namespace {

QString streamed_text(int words) {
    QString text;
    for (int i = 0; i < words; ++i) text += QStringLiteral("w%1 ").arg(i);
    return text;
}

int child_list(const QString& folder) {
    ConversationStore store;
    if (!store.open(folder)) {
        std::fprintf(stderr, "%s\n", qPrintable(store.lastError()));
        return 2;
    }
    for (const auto& c : store.listConversations())
        std::printf("%lld\t%s\n", static_cast<long long>(c.id), c.title.toUtf8().constData());
    return 0;
}

int child_stream(const QString& folder, qint64 conversation) {
    ConversationStore store;
    if (!store.open(folder)) return 2;
    const qint64 answer = store.beginAnswer(conversation);
    if (answer < 0) return 3;
    // Runs until killed (or 30 s pass, should the parent have died).
    for (int i = 1; i < 3000; ++i) {
        store.updateAnswer(answer, streamed_text(i));
        std::printf("%d\n", i - 1);
        std::fflush(stdout);
        prism::test::spin(10);
    }
    return 4;
}

}  // namespace

class StoreProcessTest : public QObject {
    Q_OBJECT

    QString self() const { return QCoreApplication::applicationFilePath(); }

  private slots:
    void secondProcessListsTheSameConversations() {
        QTemporaryDir dir;
        ConversationStore store;
        QVERIFY(store.open(dir.path()));
        for (const char* title : {"Photos of the garden", "Tax letter", "Bedtime story"}) {
            const qint64 id = store.createConversation();
            store.addMessage(id, QStringLiteral("user"), QString::fromUtf8(title));
            QTest::qWait(2);
        }
        // The first process keeps the database open while the second reads it.
        QProcess child;
        child.start(self(), {QStringLiteral("--child-list"), dir.path()});
        QVERIFY(child.waitForFinished(15000));
        QCOMPARE(child.exitCode(), 0);
        QStringList expected;
        for (const auto& c : store.listConversations())
            expected << QStringLiteral("%1\t%2").arg(c.id).arg(c.title);
        const QStringList got = QString::fromUtf8(child.readAllStandardOutput())
                                    .split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(got, expected);
        QCOMPARE(got.size(), 3);
    }

    void killMidAnswerKeepsTheShownText() {
        QTemporaryDir dir;
        qint64 conversation = 0;
        {
            ConversationStore store;
            QVERIFY(store.open(dir.path()));
            conversation = store.createConversation();
            store.addMessage(conversation, QStringLiteral("user"),
                             QStringLiteral("Tell me a story"));
        }
        QProcess child;
        child.start(self(),
                    {QStringLiteral("--child-stream"), dir.path(), QString::number(conversation)});
        QVERIFY(child.waitForStarted(10000));
        // Wait until the child has streamed a while, note how far it got, let it go on for
        // well over the 250 ms write interval, then kill it without warning.
        int shown = -1;
        QByteArray buffer;
        QElapsedTimer timeout;
        timeout.start();
        while (shown < 30 && timeout.elapsed() < 20000) {
            child.waitForReadyRead(100);
            buffer += child.readAllStandardOutput();
            const QList<QByteArray> lines = buffer.split('\n');
            for (qsizetype i = 0; i + 1 < lines.size(); ++i)
                shown = std::max(shown, lines[i].toInt());
            buffer = lines.last();
        }
        QVERIFY2(shown >= 30, "the child did not stream");
        QTest::qWait(700);
        QCOMPARE(child.state(), QProcess::Running);
        child.kill();  // SIGKILL
        QVERIFY(child.waitForFinished(10000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);

        ConversationStore store;
        QVERIFY(store.open(dir.path()));
        const auto messages = store.listMessages(conversation);
        QCOMPARE(messages.size(), 2u);
        const auto& answer = messages[1];
        QCOMPARE(answer.role, QStringLiteral("assistant"));
        QVERIFY(!answer.stats.has_value());  // interrupted, and reads back as such
        // Everything shown 700 ms before the kill is there, and nothing that was not streamed.
        QVERIFY2(answer.text.startsWith(streamed_text(shown + 1)),
                 qPrintable(answer.text.left(200)));
        QVERIFY(streamed_text(3000).startsWith(answer.text));
    }
};

namespace prism::test {

int run_store_process_tests(int argc, char** argv) {
    StoreProcessTest t;
    return QTest::qExec(&t, argc, argv);
}

int run_child(int argc, char** argv) {
    const QString mode = QString::fromLocal8Bit(argv[1]);
    if (mode == QLatin1String("--child-list") && argc == 3)
        return child_list(QString::fromLocal8Bit(argv[2]));
    if (mode == QLatin1String("--child-stream") && argc == 4)
        return child_stream(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toLongLong());
    std::fprintf(stderr, "unknown helper mode\n");
    return 64;
}

}  // namespace prism::test

#include "test_store_processes.moc"
