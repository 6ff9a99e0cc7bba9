#include "markdown_blocks.hpp"

#include <QStringList>

namespace prism::ui {
namespace {

struct Fence {
    QChar character;
    qsizetype length = 0;
    QString info;
};

// A fence line: up to three spaces, then at least three backticks or tildes.
bool parse_fence(const QString& line, Fence& fence) {
    qsizetype i = 0;
    while (i < line.size() && i < 3 && line[i] == u' ') ++i;
    if (i >= line.size() || (line[i] != u'`' && line[i] != u'~')) return false;
    const QChar c = line[i];
    qsizetype n = 0;
    while (i + n < line.size() && line[i + n] == c) ++n;
    if (n < 3) return false;
    const QString info = line.mid(i + n).trimmed();
    // A backtick fence's info string may not contain backticks (CommonMark), else it is inline
    // code.
    if (c == u'`' && info.contains(u'`')) return false;
    fence = {c, n, info.section(u' ', 0, 0)};
    return true;
}

bool closes(const QString& line, const Fence& open) {
    Fence f;
    return parse_fence(line, f) && f.character == open.character && f.length >= open.length &&
           f.info.isEmpty();
}

void flush_text(QList<MarkdownBlock>& blocks, QStringList& lines) {
    QString text = lines.join(u'\n');
    lines.clear();
    if (text.trimmed().isEmpty()) return;
    blocks.append({MarkdownBlock::Kind::text, text, {}, true});
}

}  // namespace

QList<MarkdownBlock> split_markdown(const QString& markdown) {
    QList<MarkdownBlock> blocks;
    QStringList pending;
    const QStringList lines = markdown.split(u'\n');
    Fence open;
    bool in_code = false;
    for (const QString& line : lines) {
        if (!in_code) {
            if (parse_fence(line, open)) {
                flush_text(blocks, pending);
                in_code = true;
            } else {
                pending.append(line);
            }
            continue;
        }
        if (closes(line, open)) {
            blocks.append({MarkdownBlock::Kind::code, pending.join(u'\n'), open.info, true});
            pending.clear();
            in_code = false;
        } else {
            pending.append(line);
        }
    }
    if (in_code) {
        blocks.append({MarkdownBlock::Kind::code, pending.join(u'\n'), open.info, false});
    } else {
        flush_text(blocks, pending);
    }
    return blocks;
}

}  // namespace prism::ui
