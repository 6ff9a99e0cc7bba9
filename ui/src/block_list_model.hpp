#pragma once

// The prose and code blocks of one message. Updated in place while an answer streams, so the
// view only re-renders the block that grew instead of rebuilding the whole message.

#include <QAbstractListModel>
#include <QList>
#include <QQmlEngine>

#include "markdown_blocks.hpp"

namespace prism::ui {

class BlockListModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("Part of a message.")

  public:
    enum Role { KindRole = Qt::UserRole + 1, TextRole, LanguageRole, ClosedRole };

    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Replaces the blocks, signalling only the rows that changed.
    void set_markdown(const QString& markdown);
    const QList<MarkdownBlock>& blocks() const { return blocks_; }

  private:
    QList<MarkdownBlock> blocks_;
};

}  // namespace prism::ui
