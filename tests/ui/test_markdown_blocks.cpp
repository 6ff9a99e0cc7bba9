// split_markdown: prose and fenced code, including a fence still open while an answer streams.

#include <QtTest>

#include "markdown_blocks.hpp"
#include "ui_test_suites.hpp"

namespace prism::ui::test {
namespace {

using Kind = MarkdownBlock::Kind;

class MarkdownBlocksTest : public QObject {
    Q_OBJECT
  private slots:
    void proseOnly() {
        const auto blocks = split_markdown(QStringLiteral("# Title\n\n- a\n- b"));
        QCOMPARE(blocks.size(), 1);
        QCOMPARE(blocks[0].kind, Kind::text);
        QCOMPARE(blocks[0].text, QStringLiteral("# Title\n\n- a\n- b"));
    }
    void codeBetweenProse() {
        const auto blocks =
            split_markdown(QStringLiteral("Run:\n```sh\nls -l\necho hi\n```\nDone."));
        QCOMPARE(blocks.size(), 3);
        QCOMPARE(blocks[1].kind, Kind::code);
        QCOMPARE(blocks[1].language, QStringLiteral("sh"));
        QCOMPARE(blocks[1].text, QStringLiteral("ls -l\necho hi"));
        QVERIFY(blocks[1].closed);
        QCOMPARE(blocks[2].text, QStringLiteral("Done."));
    }
    void unclosedFenceWhileStreaming() {
        const auto blocks = split_markdown(QStringLiteral("x\n~~~~python\nprint(1)\n~~~\n"));
        // A shorter closing fence does not close a longer opening one (CommonMark).
        QCOMPARE(blocks.size(), 2);
        QCOMPARE(blocks[1].kind, Kind::code);
        QVERIFY(!blocks[1].closed);
        QCOMPARE(blocks[1].text, QStringLiteral("print(1)\n~~~\n"));
    }
    void inlineBackticksAreNotAFence() {
        const auto blocks = split_markdown(QStringLiteral("``` not `a` fence\ntext"));
        QCOMPARE(blocks.size(), 1);
        QCOMPARE(blocks[0].kind, Kind::text);
    }
};

const RegisterSuite<MarkdownBlocksTest> registered;

}  // namespace
}  // namespace prism::ui::test

#include "test_markdown_blocks.moc"
