#include "attachment_list_model.hpp"

#include <QUrl>
#include <algorithm>

#include "model_description.hpp"

namespace prism::ui {

QString kind_name(AttachmentKind kind) {
    switch (kind) {
        case AttachmentKind::audio:
            return QStringLiteral("audio");
        case AttachmentKind::video:
            return QStringLiteral("video");
        case AttachmentKind::image:
            break;
    }
    return QStringLiteral("image");
}

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
            return a.kind == AttachmentKind::audio || a.id.isEmpty()
                       ? QString()
                       : QStringLiteral("image://attachments/%1").arg(a.id);
        case DetailRole:
            if (a.kind == AttachmentKind::audio) return format_media_duration(a.duration_seconds);
            if (a.kind == AttachmentKind::video)
                return QStringLiteral("%1 × %2, %3")
                    .arg(a.size.width())
                    .arg(a.size.height())
                    .arg(format_media_duration(a.duration_seconds));
            return QStringLiteral("%1 × %2, %3")
                .arg(a.size.width())
                .arg(a.size.height())
                .arg(format_bytes(a.bytes.size()));
        case KindRole:
            return kind_name(a.kind);
        case DurationRole:
            return a.kind == AttachmentKind::image ? QString()
                                                   : format_media_duration(a.duration_seconds);
        case FileUrlRole:
            return QUrl::fromLocalFile(a.path);
        default:
            return {};
    }
}

QHash<int, QByteArray> AttachmentListModel::roleNames() const {
    return {{IdRole, "attachmentId"}, {NameRole, "name"}, {SourceRole, "source"},
            {DetailRole, "detail"},   {KindRole, "kind"}, {DurationRole, "duration"},
            {FileUrlRole, "fileUrl"}};
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

bool AttachmentListModel::contains(AttachmentKind kind) const {
    return std::any_of(items_.begin(), items_.end(),
                       [kind](const ImageAttachment& a) { return a.kind == kind; });
}

}  // namespace prism::ui
