#include "data/title_rules.hpp"

namespace prism::ui {

QString title_from_message(const QString& text, qsizetype max_chars) {
    const QString line = text.simplified();
    if (line.size() <= max_chars) return line;
    // Room for the ellipsis inside the limit.
    const qsizetype limit = std::max<qsizetype>(1, max_chars - 1);
    qsizetype cut = line.lastIndexOf(QLatin1Char(' '), limit);
    // A boundary in the first third would leave a stub like "A…": cut the word instead.
    if (cut < limit / 3) cut = limit;
    QString title = line.left(cut);
    while (!title.isEmpty() && (title.back().isSpace() || title.back().isPunct())) title.chop(1);
    return title + QChar(0x2026);
}

QString clean_user_title(const QString& title) {
    return title.simplified().left(200);
}

}  // namespace prism::ui
