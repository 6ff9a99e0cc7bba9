#pragma once

// Splits a (possibly still streaming) Markdown answer into prose and fenced code blocks, so the
// view can render prose with Qt's Markdown support and code in monospace with a copy button.

#include <QList>
#include <QString>

namespace prism::ui {

struct MarkdownBlock {
    enum class Kind { text, code };
    Kind kind = Kind::text;
    QString text;        // prose as Markdown, or the code without its fences
    QString language;    // the fence's info string (code only)
    bool closed = true;  // false for a code block whose closing fence has not arrived yet

    bool operator==(const MarkdownBlock&) const = default;
};

// Fences are ``` or ~~~ (three or more) after at most three spaces, closed by the same character
// at least as long, as in CommonMark. Empty prose between blocks is dropped.
QList<MarkdownBlock> split_markdown(const QString& markdown);

}  // namespace prism::ui
