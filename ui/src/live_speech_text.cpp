#include "live_speech_text.hpp"

#include <QRegularExpression>

namespace prism::ui {

QString speakable_text(const QString& markdown) {
    QString s = markdown;
    static const QRegularExpression fence(QStringLiteral("```[^\\n]*\\n[\\s\\S]*?(```|$)"));
    s.replace(fence, QStringLiteral(" (code) "));
    static const QRegularExpression image(QStringLiteral("!\\[([^\\]]*)\\]\\([^)]*\\)"));
    s.replace(image, QStringLiteral("\\1"));
    static const QRegularExpression link(QStringLiteral("\\[([^\\]]*)\\]\\([^)]*\\)"));
    s.replace(link, QStringLiteral("\\1"));
    static const QRegularExpression heading(QStringLiteral("(^|\\n)\\s{0,3}#{1,6}\\s+"));
    s.replace(heading, QStringLiteral("\\1"));
    static const QRegularExpression bullet(QStringLiteral("(^|\\n)\\s*([-*+]|\\d+[.)])\\s+"));
    s.replace(bullet, QStringLiteral("\\1"));
    static const QRegularExpression quote(QStringLiteral("(^|\\n)\\s*>\\s?"));
    s.replace(quote, QStringLiteral("\\1"));
    static const QRegularExpression rule(QStringLiteral("(^|\\n)\\s*([-*_]\\s*){3,}(?=\\n|$)"));
    s.replace(rule, QStringLiteral("\\1"));
    static const QRegularExpression table_separator(QStringLiteral("\\|?\\s*:?-{3,}:?\\s*"));
    s.replace(table_separator, QStringLiteral(" "));
    static const QRegularExpression marks(QStringLiteral("[*_`~|]+"));
    s.replace(marks, QStringLiteral(" "));
    static const QRegularExpression space(QStringLiteral("\\s+"));
    s.replace(space, QStringLiteral(" "));
    static const QRegularExpression space_before_punctuation(QStringLiteral(" ([.,!?;:])"));
    s.replace(space_before_punctuation, QStringLiteral("\\1"));
    return s.trimmed();
}

QStringList SentenceChunker::push(const QString& piece) {
    pending_ += piece;
    QStringList out;
    for (;;) {
        // Text inside a code fence still open is not complete yet; what precedes it is.
        const qsizetype limit = pending_.count(QStringLiteral("```")) % 2 == 1
                                    ? pending_.lastIndexOf(QStringLiteral("```"))
                                    : pending_.size();
        qsizetype cut = -1;
        for (qsizetype i = 0; i + 1 < limit; ++i) {
            const QChar c = pending_[i];
            const QChar next = pending_[i + 1];
            if ((c == u'.' || c == u'!' || c == u'?' || c == u':') && next.isSpace()) {
                // "e.g. ", "3. " and "J. " are not sentence ends: a sentence has at least
                // two words, and its last one is not an abbreviation or a number.
                const QString before = pending_.left(i).trimmed();
                const QString word = before.mid(before.lastIndexOf(u' ') + 1);
                bool number = false;
                word.toDouble(&number);
                const bool abbreviation =
                    c == u'.' && (word.contains(u'.') || word.size() <= 1 || number);
                if (before.contains(u' ') && !abbreviation) {
                    cut = i + 1;
                    break;
                }
            }
            if (c == u'\n' && next == u'\n') {
                cut = i + 1;
                break;
            }
        }
        if (cut < 0) break;
        const QString sentence = speakable_text(pending_.left(cut));
        pending_.remove(0, cut);
        if (!sentence.isEmpty()) out.append(sentence);
    }
    return out;
}

QStringList SentenceChunker::finish() {
    const QString rest = speakable_text(pending_);
    pending_.clear();
    return rest.isEmpty() ? QStringList() : QStringList{rest};
}

}  // namespace prism::ui
