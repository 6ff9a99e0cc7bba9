#pragma once

// Text for the speech engine: Markdown reduced to what a listener should hear, and a stream of
// generated pieces cut into sentences so speaking can start while the answer is still being
// generated.

#include <QString>
#include <QStringList>

namespace prism::ui {

// Emphasis markers, heading hashes, list bullets, link targets, inline code ticks and table
// pipes are removed; code blocks are replaced by "(code)", since reading code aloud helps no
// one. Whitespace is collapsed.
QString speakable_text(const QString& markdown);

class SentenceChunker {
  public:
    // Adds a generated piece; returns the sentences it completed (speakable, non-empty).
    // A sentence ends at ".", "!", "?" or ":" followed by white space, or at a blank line; a
    // fenced code block is held back until it closes.
    QStringList push(const QString& piece);
    // The rest (the answer ended): what remains, as one sentence, or nothing.
    QStringList finish();
    void clear() { pending_.clear(); }

  private:
    QString pending_;
};

}  // namespace prism::ui
