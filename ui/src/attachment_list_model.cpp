#include "attachment_list_model.hpp"

#include "model_description.hpp"

namespace prism::ui {

int AttachmentListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : count();
}

QVariant AttachmentListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const ImageAttachment& a = items_.at(index.row());
    switch (role) {
        case IdRole:
            return a.id;
        case Qt::DisplayRole:
        case NameRole:
            return a.name;
        case SourceRole:
            return QStringLiteral("image://attachments/%1").arg(a.id);
        case DetailRole:
            return QStringLiteral("%1 × %2, %3")
                .arg(a.size.width())
                .arg(a.size.height())
                .arg(format_bytes(a.bytes.size()));
        default:
            return {};
    }
}

QHash<int, QByteArray> AttachmentListModel::roleNames() const {
    return {{IdRole, "attachmentId"},
            {NameRole, "name"},
            {SourceRole, "source"},
            {DetailRole, "detail"}};
}

void AttachmentListModel::append(const ImageAttachment& attachment) {
    const int row = count();
    beginInsertRows({}, row, row);
    items_.append(attachment);
    endInsertRows();
    emit countChanged();
}

void AttachmentListModel::remove(int row) {
    if (row < 0 || row >= count()) return;
    beginRemoveRows({}, row, row);
    items_.removeAt(row);
    endRemoveRows();
    emit countChanged();
}

QList<ImageAttachment> AttachmentListModel::take_all() {
    if (items_.isEmpty()) return {};
    beginResetModel();
    QList<ImageAttachment> out = std::move(items_);
    items_.clear();
    endResetModel();
    emit countChanged();
    return out;
}

}  // namespace prism::ui
