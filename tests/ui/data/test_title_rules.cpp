// Titles derived from the first user message.
#include <QTest>

#include "data/title_rules.hpp"
#include "ui/data/test_suites.hpp"

using prism::ui::title_from_message;

class TitleRulesTest : public QObject {
    Q_OBJECT
  private slots:
    void shortTextIsKept() {
        QCOMPARE(title_from_message(QStringLiteral("  What is in this picture?  ")),
                 QStringLiteral("What is in this picture?"));
    }
    void whitespaceRunsBecomeOneSpace() {
        QCOMPARE(title_from_message(QStringLiteral("Line one\n\n\tline   two")),
                 QStringLiteral("Line one line two"));
    }
    void longTextIsCutAtAWordBoundary() {
        const QString text = QStringLiteral(
            "Please explain how the mixture of experts routing works in large language models "
            "and why it helps");
        const QString title = title_from_message(text);
        QVERIFY2(title.size() <= 60, qPrintable(title));
        QVERIFY(title.endsWith(QChar(0x2026)));
        const QString body = title.chopped(1);
        // Whole words only: the text continues with a space right after the cut.
        QVERIFY2(text.startsWith(body) && text.at(body.size()) == QLatin1Char(' '),
                 qPrintable(title));
        QCOMPARE(body,
                 QStringLiteral("Please explain how the mixture of experts routing works in"));
    }
    void trailingPunctuationBeforeTheCutIsDropped() {
        const QString title = title_from_message(
            QStringLiteral("First of all, thanks, and second, could you summarise, briefly, this?"),
            35);
        QCOMPARE(title, QStringLiteral("First of all, thanks, and second") + QChar(0x2026));
    }
    void oneHugeWordIsCut() {
        const QString word(200, QLatin1Char('x'));
        const QString title = title_from_message(word);
        QCOMPARE(title.size(), 60);
        QVERIFY(title.endsWith(QChar(0x2026)));
    }
    void emptyTextGivesEmptyTitle() {
        QVERIFY(title_from_message(QStringLiteral(" \n ")).isEmpty());
    }
};

namespace prism::test {
int run_title_rules_tests(int argc, char** argv) {
    TitleRulesTest t;
    return QTest::qExec(&t, argc, argv);
}
}  // namespace prism::test

#include "test_title_rules.moc"
