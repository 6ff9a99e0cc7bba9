#include "block_list_model.hpp"

namespace prism::ui {

int BlockListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(blocks_.size());
}

QVariant BlockListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const MarkdownBlock& b = blocks_.at(index.row());
    switch (role) {
        case KindRole:
            return b.kind == MarkdownBlock::Kind::code ? QStringLiteral("code")
                                                       : QStringLiteral("text");
        case Qt::DisplayRole:
        case TextRole:
            return b.text;
        case LanguageRole:
            return b.language;
        case ClosedRole:
            return b.closed;
        default:
            return {};
    }
}

QHash<int, QByteArray> BlockListModel::roleNames() const {
    return {{KindRole, "kind"},
            {TextRole, "blockText"},
            {LanguageRole, "language"},
            {ClosedRole, "closed"}};
}

void BlockListModel::set_markdown(const QString& markdown) {
    QList<MarkdownBlock> next = split_markdown(markdown);
    const int old_n = static_cast<int>(blocks_.size());
    const int new_n = static_cast<int>(next.size());
    const int common = std::min(old_n, new_n);
    // A block whose kind changed (prose that turned into a code fence) is replaced, so the view
    // creates the right delegate for it.
    int first_kind_change = common;
    for (int i = 0; i < common; ++i) {
        if (blocks_[i].kind != next[i].kind) {
            first_kind_change = i;
            break;
        }
    }
    if (first_kind_change < old_n) {
        beginRemoveRows({}, first_kind_change, old_n - 1);
        blocks_.resize(first_kind_change);
        endRemoveRows();
    }
    for (int i = 0; i < static_cast<int>(blocks_.size()); ++i) {
        if (blocks_[i] != next[i]) {
            blocks_[i] = next[i];
            emit dataChanged(index(i), index(i));
        }
    }
    const int have = static_cast<int>(blocks_.size());
    if (new_n > have) {
        beginInsertRows({}, have, new_n - 1);
        for (int i = have; i < new_n; ++i) blocks_.append(next[i]);
        endInsertRows();
    }
}

}  // namespace prism::ui
